from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zizhu.recipients.fields import SealedTextField


class Term(models.TextChoices):
    AUTUMN = "autumn", _("Autumn term")
    SPRING = "spring", _("Spring term")


class Sex(models.TextChoices):
    """The values of RecipientRow.sex (derived from the ID number)."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)


class RecipientList(models.Model):
    """One version of a school's list for a project, school year, term and batch (批次).

    A key (school, project, year, term, batch) has at most one open version (draft, submitted
    or returned) and at most one approved version; approving a new version supersedes the old.
    Approved versions are locked: changes need a new version.

    Database triggers add a school's approved lists into the per-authority report totals
    (zizhu/fundreports/rollups_sources.py, ADR 0008): renaming its table or a column it
    reads needs a migration freezing the triggers again (`manage.py rollups_freeze`).
    """

    school = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        related_name="recipient_lists",
        verbose_name=_("School"),
    )
    project = models.ForeignKey(
        "catalogue.AidProject",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Aid project"),
    )
    year = models.PositiveSmallIntegerField(_("School year"))
    term = models.CharField(_("Term"), max_length=6, choices=Term.choices)
    batch = models.PositiveSmallIntegerField(_("Batch"), default=1)
    version = models.PositiveSmallIntegerField(_("Version"), default=1)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    row_count = models.PositiveIntegerField(_("Recipients"), default=0)
    total_amount = models.DecimalField(
        _("Total amount"), max_digits=14, decimal_places=2, default=0
    )
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("Reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("Review comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Recipient list")
        verbose_name_plural = _("Recipient lists")
        ordering = ["-year", "term", "school__code", "project__code", "batch", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "project", "year", "term", "batch", "version"],
                name="recipientlist_unique_version",
            ),
            models.UniqueConstraint(
                fields=["school", "project", "year", "term", "batch"],
                condition=Q(status__in=["draft", "submitted", "returned"]),
                name="recipientlist_one_open_version",
            ),
            models.UniqueConstraint(
                fields=["school", "project", "year", "term", "batch"],
                condition=Q(status="approved"),
                name="recipientlist_one_approved_version",
            ),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0), name="recipientlist_total_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="recipientlist_return_needs_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school.name} {self.project.name} {self.period_label}"

    @property
    def period_label(self) -> str:
        """The year, term, batch and version as the pages show them: 2025 秋季学期 · 批次 1 ·
        版本 1."""
        return gettext("%(year)s %(term)s · Batch %(batch)s · Version %(version)s") % {
            "year": self.year,
            "term": self.get_term_display(),
            "batch": self.batch,
            "version": self.version,
        }

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class RecipientRow(models.Model):
    # no index of its own: the unique (list, pid) index below starts with it and serves every
    # lookup by list; one index less to keep up is ~5-15 % of a big import's insert (SQLite)
    recipient_list = models.ForeignKey(
        RecipientList, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField(_("Row"))
    # ID, phone and card numbers are sealed at rest (fields.py); look people up by `pid` and
    # `phone_key`, the keyed hashes of their ID and phone (zizhu.store.keys).
    id_number = SealedTextField(_("ID number"))
    # no index of its own either: every lookup by person is within lists (the unique index
    # below); a third index would cost every import its upkeep
    pid = models.BigIntegerField()
    name = models.CharField(pgettext_lazy("person", "Name"), max_length=50)
    sex = models.CharField(_("Sex"), max_length=6)
    birth_date = models.DateField(_("Birth date"))
    grade = models.CharField(_("Grade"), max_length=20, blank=True)
    major = models.CharField(_("Major"), max_length=60, blank=True)
    phone = SealedTextField(_("Phone"), blank=True)
    phone_key = models.BigIntegerField(null=True, blank=True)
    amount = models.DecimalField(_("Amount"), max_digits=10, decimal_places=2)
    bank_account = SealedTextField(_("Bank account"), blank=True)

    class Meta:
        verbose_name = _("Recipient")
        verbose_name_plural = _("Recipients")
        ordering = ["recipient_list", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_list", "pid"], name="recipientrow_unique_person"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recipientrow_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_list_id}:{self.row_number}"
