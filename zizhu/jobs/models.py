from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failure")


class Job(models.Model):
    """A unit of long work (import, export, monthly check). The queue carries only its id;
    the row carries status and progress, so the UI and the command line read one place."""

    kind = models.CharField(_("Kind"), max_length=60)
    params = models.JSONField(_("Parameters"), default=dict)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    done = models.PositiveBigIntegerField(_("Processed"), default=0)
    total = models.PositiveBigIntegerField(_("Total"), default=0)
    message = models.CharField(_("Message"), max_length=500, blank=True)
    result = models.JSONField(_("Result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("Submitted by"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("Unit"),
    )
    created_at = models.DateTimeField(_("Submitted at"), auto_now_add=True)
    started_at = models.DateTimeField(_("Started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Finished at"), null=True, blank=True)
    # the worker process running it ("host:pid") and its last sign of life: a running job
    # whose worker died is found by these and marked failed (services.jobs_recover)
    worker = models.CharField(_("Worker"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("Last heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("Background jobs")
        verbose_name_plural = _("Background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            # a page of the newest jobs (the centre's and a province's lists) read in order,
            # not every job sorted: a year's list imports are some hundreds of thousands
            models.Index(fields=["-created_at", "-id"], name="job_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) | models.Q(total=0),
                name="job_progress_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def title(self) -> str:
        from zizhu.jobs.registry import JOB_TITLES

        return str(JOB_TITLES.get(self.kind, _("Background job")))

    @property
    def wrote_nothing(self) -> bool:
        """Finished, but refused its input (errors found): nothing was written."""
        return self.status == Status.DONE and (self.result or {}).get("ok") is False

    @property
    def is_finished(self) -> bool:
        return self.status in (Status.DONE, Status.FAILED)
