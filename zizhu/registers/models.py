from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """docs/domain.md, formats; the same codes as zizhu.registers.kinds.KINDS."""

    ENROLMENT_SENIOR_HIGH = "enrolment_senior_high", _("Senior-high enrolment")
    ENROLMENT_COMPULSORY = "enrolment_compulsory", _("Compulsory-education enrolment")
    ENROLMENT_VOCATIONAL = "enrolment_vocational", _("Secondary-vocational enrolment")
    RECIPIENTS_HIGHER = "recipients_higher", _("Higher-education aid recipients")
    RECIPIENTS_SENIOR_HIGH = "recipients_senior_high", _("Senior-high aid recipients")
    RECIPIENTS_COMPULSORY = "recipients_compulsory", _("Compulsory-education aid recipients")
    RECIPIENTS_TECHNICAL = "recipients_technical", _("Technical-school aid recipients")
    GRADUATES_SENIOR_HIGH = "graduates_senior_high", _("Senior-high graduates")


class Status(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Current")
    FAILED = "failed", _("Failed")
    REPLACED = "replaced", _("Replaced")


class Snapshot(models.Model):
    """One import of a register kind for a month, whatever its outcome.

    Every upload or command run is a row: `done` is the snapshot the analytics store holds for
    (kind, month), at most one per pair; importing again makes a new row and turns the old
    `done` one into `replaced` in the same transaction that swaps the store folder. A rejected
    file is `failed`, with its problems (never raw values: reasons only), and the store is
    untouched."""

    kind = models.CharField(_("Register"), max_length=30, choices=Kind.choices)
    month = models.CharField(_("Month"), max_length=7)  # YYYY-MM
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows = models.PositiveBigIntegerField(_("Rows"), default=0)
    error_count = models.PositiveIntegerField(_("Errors"), default=0)
    # the first problems of a rejected file: [[row, column, message], …] (see MAX_PROBLEMS_KEPT)
    problems = models.JSONField(default=list, blank=True)
    message = models.CharField(_("Message"), max_length=500, blank=True)
    source_name = models.CharField(_("File"), max_length=255, blank=True)
    store_path = models.CharField(_("Store location"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Imported by"),
    )
    created_at = models.DateTimeField(_("Imported at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("Finished at"), null=True, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Register snapshot")
        verbose_name_plural = _("Register snapshots")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "month"], name="snapshot_kind_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "month"],
                condition=Q(status="done"),
                name="snapshot_one_current_per_kind_month",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]), name="snapshot_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status not in (Status.PENDING, Status.RUNNING)
