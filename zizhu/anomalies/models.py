"""Runs of the monthly checks, their findings, and the schools' explanations of findings.

A finding lives as long as the run that produced it: a re-run of the month replaces them all.
An explanation is keyed by the finding's stable identity (month, rule, school, person,
counterpart school), not by the finding's row, so it re-attaches to the same finding of the
next run of the month by itself.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Engine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    SPARK = "spark", "Apache Spark"


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failure")


ACTIVE_RUN_STATUSES = (RunStatus.PENDING, RunStatus.RUNNING)


class Risk(models.TextChoices):
    HIGH = "high", _("High risk")
    MEDIUM = "medium", _("Medium risk")
    LOW = "low", _("Low risk")


class Programme(models.TextChoices):
    TUITION_WAIVER = "tuition_waiver", _("Secondary vocational tuition waiver")
    NATIONAL_GRANT = "national_grant", _("Secondary vocational national grant")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Verdict(models.TextChoices):
    TRUE = "true", _("Accurate")
    FALSE = "false", _("Not accurate")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


MONTH_REGEX = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class Run(models.Model):
    """One run of the 24 rules for a month: pending → running → done / failed.

    Its status is whether the month's findings are this run's (done commits with them) and
    keeps one active run per month in the database; its `job`'s status is whether a worker
    carried the job to its end, and the job holds the progress. Why there are two, and how they
    agree: docs/adr/0022-run-and-job-states.md."""

    month = models.CharField(_("Month"), max_length=7)
    engine = models.CharField(_("Engine"), max_length=10, choices=Engine.choices)
    status = models.CharField(
        _("Status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Submitted by"),
    )
    job = models.ForeignKey(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Background jobs"),
    )
    created_at = models.DateTimeField(_("Submitted at"), auto_now_add=True)
    started_at = models.DateTimeField(_("Started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Finished at"), null=True, blank=True)
    duration = models.DurationField(_("Duration"), null=True, blank=True)
    # rule number (as text: JSON keys) → findings stored
    counts = models.JSONField(_("Findings per rule"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("Findings"), default=0)
    # the approved recipient-list versions the run checked (subjects of the month's term and
    # the lists of three years ago), written into the store by the run itself
    lists = models.ManyToManyField(
        "recipients.RecipientList",
        related_name="check_runs",
        blank=True,
        verbose_name=_("Recipient lists checked"),
    )
    # "YYYY-term" → list rows the run wrote for that term
    list_rows = models.JSONField(_("List rows per term"), default=dict, blank=True)
    error = models.TextField(_("Error"), blank=True)

    class Meta:
        verbose_name = _("Check run")
        verbose_name_plural = _("Check runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # two runs of one month never overlap (the service refuses first; this is the
            # guarantee when two requests race)
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(status__in=["pending", "running"]),
                name="anomaly_run_one_active_per_month",
            ),
            models.CheckConstraint(
                condition=Q(month__regex=MONTH_REGEX), name="anomaly_run_month_format"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]),
                name="anomaly_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(engine__in=["duckdb", "spark"]), name="anomaly_run_engine_valid"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=models.F("started_at")),
                name="anomaly_run_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} #{self.pk}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)


class Finding(models.Model):
    """One finding of a run (docs/domain.md, periods): a subject (person × programme × school) and,
    for the
    duplicate checks, the counterpart's school and kind, never more of the other record."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="findings")
    month = models.CharField(_("Month"), max_length=7)
    rule = models.PositiveSmallIntegerField(_("Rule"))
    risk = models.CharField(_("Risk"), max_length=6, choices=Risk.choices)
    programme = models.CharField(_("Programme"), max_length=16, choices=Programme.choices)
    school = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("School")
    )
    pid = models.BigIntegerField(_("Person key"))
    # the subject's row of the approved list the run checked (no database constraint: rows of
    # approved versions are never deleted, and the findings of generated data may name none)
    row = models.ForeignKey(
        "recipients.RecipientRow",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("List row"),
    )
    id_masked = models.CharField(_("ID number"), max_length=20, blank=True)
    # "" (not NULL) for the checks without a counterpart, so the identity is comparable
    counterpart_school_code = models.CharField(_("Counterpart school"), max_length=10, blank=True)
    counterpart_kind = models.CharField(_("Counterpart kind"), max_length=30, blank=True)
    detail = models.CharField(_("Detail"), max_length=40, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )

    class Meta:
        verbose_name = _("Finding")
        verbose_name_plural = _("Findings")
        ordering = ["month", "rule", "school_id", "pid", "counterpart_school_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "rule", "school", "pid", "counterpart_school_code"],
                name="anomaly_finding_identity_unique",
            ),
            models.CheckConstraint(
                condition=Q(risk__in=["high", "medium", "low"]), name="anomaly_finding_risk"
            ),
            models.CheckConstraint(
                condition=Q(programme__in=["tuition_waiver", "national_grant"]),
                name="anomaly_finding_programme",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "explained", "accepted", "rejected"]),
                name="anomaly_finding_status",
            ),
            models.CheckConstraint(
                condition=Q(month__regex=MONTH_REGEX), name="anomaly_finding_month_format"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "programme", "risk"], name="anomaly_finding_month_risk"),
            models.Index(fields=["school", "month", "status"], name="anomaly_finding_school"),
        ]

    def __str__(self) -> str:
        return f"{self.month} rule {self.rule} {self.id_masked}"

    @property
    def identity(self) -> tuple:
        return (self.month, self.rule, self.school_id, self.pid, self.counterpart_school_code)


def attachment_path(instance, filename: str) -> str:
    """The service names the file (a random name, zizhu.lib.uploads.random_storage_name); the
    original name is kept in `attachment_name` for downloads."""
    return f"anomalies/explanations/{filename}"


class Explanation(models.Model):
    """A school's explanation of a finding (属实 / 不属实, note, attachment) and the supervising
    authority's review of it, keyed by the finding's stable identity."""

    month = models.CharField(_("Month"), max_length=7)
    rule = models.PositiveSmallIntegerField(_("Rule"))
    school = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("School")
    )
    pid = models.BigIntegerField(_("Person key"))
    counterpart_school_code = models.CharField(_("Counterpart school"), max_length=10, blank=True)

    verdict = models.CharField(_("Verdict"), max_length=5, choices=Verdict.choices)
    note = models.TextField(_("Note"), max_length=2000, blank=True)
    attachment = models.FileField(
        _("Attachment"), upload_to=attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("Attachment name"), max_length=200, blank=True)
    attachment_type = models.CharField(_("Attachment type"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Explained by"),
    )
    at = models.DateTimeField(_("Explained at"))

    decision = models.CharField(_("Review"), max_length=10, choices=Decision.choices, blank=True)
    comment = models.TextField(_("Review comment"), max_length=2000, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("Reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Explanation")
        verbose_name_plural = _("Explanations")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "rule", "school", "pid", "counterpart_school_code"],
                name="anomaly_explanation_identity_unique",
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=["true", "false"]), name="anomaly_explanation_verdict"
            ),
            # a decision comes with its reviewer and time, and only with them
            models.CheckConstraint(
                condition=(
                    Q(decision="", reviewer__isnull=True, reviewed_at__isnull=True)
                    | Q(
                        decision__in=["accepted", "rejected"],
                        reviewer__isnull=False,
                        reviewed_at__isnull=False,
                    )
                ),
                name="anomaly_explanation_review_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} rule {self.rule} pid {self.pid}"

    @property
    def identity(self) -> tuple:
        return (self.month, self.rule, self.school_id, self.pid, self.counterpart_school_code)

    @property
    def finding_status(self) -> str:
        return self.decision or FindingStatus.EXPLAINED
