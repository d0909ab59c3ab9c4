"""The funds ledger (资助资金管理): filings, allocations between them, receipts, balances.

Money moves only through the funds services (`zizhu.funds.services`); `Balance` rows change
only under the row locks of `zizhu.funds.ledger`. See docs/adr/0005-funds-ledger.md.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zizhu.lib.onetime import form_key_field
from zizhu.units.models import Level

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
# SQLite keeps decimals as binary floats, so `0.1 + 0.7 < 0.8` there; amounts have two places,
# so a slack of a tenth of a fen never admits a real overdraft on either database.
FLOAT_SLACK = Decimal("0.001")


class SourceLevel(models.TextChoices):
    """Whose budget an amount comes from (资金来源级次)."""

    CENTRAL = "central", _("Central funds")
    PROVINCIAL = "provincial", _("Provincial funds")
    PREFECTURAL = "prefectural", _("Prefectural funds")
    COUNTY = "county", _("County funds")


# The source level of the money a unit puts in itself (本级资金); schools have none.
OWN_LEVEL: dict[str, SourceLevel] = {
    Level.CENTRAL: SourceLevel.CENTRAL,
    Level.PROVINCE: SourceLevel.PROVINCIAL,
    Level.PREFECTURE: SourceLevel.PREFECTURAL,
    Level.COUNTY: SourceLevel.COUNTY,
}


class FilingStatus(models.TextChoices):
    """draft → submitted → locked (docs/domain.md, funds). A school's operator submits for review
    (`pending`); the school's reviewer approves (→ `submitted`) or returns it (→ `returned`, an
    editable state like draft). Authorities submit directly. After the deadline set by the
    level above, a filing is `locked` until that level unlocks it (an audited act)."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting review")
    RETURNED = "returned", _("Returned")
    SUBMITTED = "submitted", _("Submitted")
    LOCKED = "locked", _("Locked")


# A filing counts as filed (已填报) in progress reports once it reached one of these states.
FILED_STATUSES = (FilingStatus.SUBMITTED, FilingStatus.LOCKED)
# States in which the unit may still change the filing's own fields.


def document_path(instance, filename: str) -> str:
    """The service names the file (zizhu.lib.uploads.random_storage_name); the original name is
    kept in `document_name` for downloads."""
    return f"funds/documents/{filename}"


class Filing(models.Model):
    """One unit's funds for one project in one year (资金填报).

    Authorities fill the document fields and their own funds (本级资金); schools fill the
    amounts of their category (学校资金/其他资金 and, where they got some, 上级资金 with its
    arrival date for school aid; 社会资金/其他资金 for social aid). Received funds of national
    and local aid are not a field: they are the incoming allocations.

    Database triggers add a school's filed filings (count, late) into the per-authority
    report totals (zizhu/fundreports/rollups_sources.py, ADR 0008): renaming its table or a
    column it reads needs a migration freezing the triggers again (`manage.py
    rollups_freeze`).
    """

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="filings", verbose_name=_("Unit")
    )
    year = models.PositiveSmallIntegerField(_("Year of use"))
    project = models.ForeignKey(
        "catalogue.AidProject",
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=_("Aid project"),
    )
    doc_number = models.CharField(_("Document number"), max_length=100, blank=True)
    doc_date = models.DateField(_("Document date"), null=True, blank=True)
    doc_title = models.CharField(_("Document title"), max_length=200, blank=True)
    own_funds = models.DecimalField(_("Own funds"), **MONEY, default=ZERO)
    school_funds = models.DecimalField(_("School funds"), **MONEY, null=True, blank=True)
    other_funds = models.DecimalField(_("Other funds"), **MONEY, null=True, blank=True)
    social_funds = models.DecimalField(_("Social funds"), **MONEY, null=True, blank=True)
    # School aid only: money a school received from above for its own aid (上级资金) and when
    # it arrived; school aid is never allocated, so the school states both itself.
    received_funds = models.DecimalField(_("Received funds"), **MONEY, null=True, blank=True)
    received_arrival_date = models.DateField(
        _("Arrival date of received funds"), null=True, blank=True
    )
    # 正文附件: the PDF body of the authority's document, checked by content on upload.
    document = models.FileField(
        _("Document body (PDF)"), upload_to=document_path, max_length=200, blank=True
    )
    document_name = models.CharField(_("Document file name"), max_length=200, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    # When the filing was first submitted (authorities) or approved (schools): on time or late
    # is this against the deadline that applies (see `Deadline`).
    submitted_at = models.DateTimeField(_("Submitted at"), null=True, blank=True)
    review_comment = models.TextField(_("Review comment"), max_length=2000, blank=True)
    # An unlock by the level above after the deadline reopens the filing until this moment.
    unlocked_until = models.DateTimeField(_("Unlocked until"), null=True, blank=True)
    # Optimistic concurrency: a save names the version it started from (see `filing_update`).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Funds filing")
        verbose_name_plural = _("Funds filings")
        ordering = ["year", "project_id", "unit_id"]
        indexes = [
            models.Index(fields=["year", "project", "status"], name="filing_year_project_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "project"], name="filing_one_per_unit_year_project"
            ),
            models.CheckConstraint(
                condition=Q(own_funds__gte=0)
                & (Q(school_funds__isnull=True) | Q(school_funds__gte=0))
                & (Q(other_funds__isnull=True) | Q(other_funds__gte=0))
                & (Q(social_funds__isnull=True) | Q(social_funds__gte=0))
                & (Q(received_funds__isnull=True) | Q(received_funds__gte=0)),
                name="filing_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} {self.project}"

    @property
    def own_level(self) -> SourceLevel | None:
        return OWN_LEVEL.get(self.unit.level)


class Deadline(models.Model):
    """The deadline (填报截止时间) an authority sets for one year and project.

    It applies to the filings of the authority's direct children (the level below: subordinate
    authorities and direct schools). A filing submitted after `due_at` is late; an editable
    filing is locked once `due_at` has passed, until the setter unlocks it.

    Database triggers carry a change of deadline into the per-authority report totals (the
    late filings of the children; zizhu/fundreports/rollups_sources.py, ADR 0008): renaming
    its table or a column they read needs a migration freezing the triggers again
    (`manage.py rollups_freeze`).
    """

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="deadlines", verbose_name=_("Set by")
    )
    year = models.PositiveSmallIntegerField(_("Year of use"))
    project = models.ForeignKey(
        "catalogue.AidProject",
        on_delete=models.PROTECT,
        related_name="deadlines",
        verbose_name=_("Aid project"),
    )
    due_at = models.DateTimeField(_("Deadline"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Set by user"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Filing deadline")
        verbose_name_plural = _("Filing deadlines")
        ordering = ["year", "project_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "project"], name="deadline_one_per_unit_year_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.project_id} {self.due_at:%Y-%m-%d}"


class Receipt(models.Model):
    """A confirmation of receipt (确认收到资金): the receiver states when the money arrived.

    It covers the incoming allocations that were unconfirmed when it was made; an allocation
    arriving later needs a new receipt. Per-source-level arrival dates are read through the
    allocations each receipt covers.
    """

    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("Funds filing")
    )
    arrival_date = models.DateField(_("Arrival date"))
    form_key = form_key_field()
    confirmed_at = models.DateTimeField(_("Confirmed at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Confirmed by"),
    )

    class Meta:
        verbose_name = _("Receipt")
        verbose_name_plural = _("Receipts")
        ordering = ["filing_id", "confirmed_at"]

    def __str__(self) -> str:
        return f"{self.filing_id}@{self.arrival_date}"


class Allocation(models.Model):
    """Money moved from a unit's filing to a direct child's filing (下拨), split by source level.

    One row per act, one column per source level: the four levels are fixed by the state, and
    a row reads like the allocation document it records.
    """

    from_filing = models.ForeignKey(
        Filing,
        on_delete=models.PROTECT,
        related_name="allocations_out",
        verbose_name=_("Allocated from"),
    )
    to_filing = models.ForeignKey(
        Filing,
        on_delete=models.PROTECT,
        related_name="allocations_in",
        verbose_name=_("Allocated to"),
    )
    central = models.DecimalField(_("Central funds"), **MONEY, default=ZERO)
    provincial = models.DecimalField(_("Provincial funds"), **MONEY, default=ZERO)
    prefectural = models.DecimalField(_("Prefectural funds"), **MONEY, default=ZERO)
    county = models.DecimalField(_("County funds"), **MONEY, default=ZERO)
    receipt = models.ForeignKey(
        Receipt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("Receipt"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Created by"),
    )
    created_at = models.DateTimeField(_("Created at"), auto_now_add=True)
    # A counter-entry (冲销) names the allocation it reverses, at most once (ADR 0010).
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversal",
        verbose_name=_("Reverses"),
    )
    # db_default: the demo's and the benchmark's bulk loaders insert allocations without it
    reason = models.CharField(_("Reason"), max_length=500, blank=True, default="", db_default="")
    form_key = form_key_field()

    class Meta:
        verbose_name = _("Allocation")
        verbose_name_plural = _("Allocations")
        ordering = ["created_at", "pk"]
        constraints = [
            # an allocation moves money down; its counter-entry (冲销) negates it (ADR 0010)
            models.CheckConstraint(
                condition=Q(reverses__isnull=True)
                & Q(central__gte=0)
                & Q(provincial__gte=0)
                & Q(prefectural__gte=0)
                & Q(county__gte=0)
                & (Q(central__gt=0) | Q(provincial__gt=0) | Q(prefectural__gt=0) | Q(county__gt=0))
                | Q(reverses__isnull=False)
                & Q(central__lte=0)
                & Q(provincial__lte=0)
                & Q(prefectural__lte=0)
                & Q(county__lte=0)
                & (Q(central__lt=0) | Q(provincial__lt=0) | Q(prefectural__lt=0) | Q(county__lt=0)),
                name="allocation_moves_money_or_reverses",
            ),
            models.CheckConstraint(
                condition=~Q(reverses=F("pk")), name="allocation_not_its_own_reversal"
            ),
            models.CheckConstraint(
                condition=~Q(from_filing=F("to_filing")), name="allocation_between_two_filings"
            ),
        ]
        indexes = [
            models.Index(fields=["to_filing"], name="allocation_to_filing"),
            models.Index(fields=["from_filing"], name="allocation_from_filing"),
        ]

    def __str__(self) -> str:
        return f"{self.from_filing_id}→{self.to_filing_id} {self.total}"

    @property
    def total(self) -> Decimal:
        return self.central + self.provincial + self.prefectural + self.county

    def amount(self, level: str) -> Decimal:
        return getattr(self, level)


# `Allocation.total` as a query expression, for sums over allocations in the database.
ALLOCATION_TOTAL = F("central") + F("provincial") + F("prefectural") + F("county")
# Allocations whose money waits for the receiver's confirmation: not confirmed, not a
# counter-entry, not reversed before it was confirmed.
AWAITING_RECEIPT = Q(receipt__isnull=True, reverses__isnull=True, reversal__isnull=True)


class ReversalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the receiver's agreement")
    AGREED = "agreed", _("Agreed, reversed")
    DECLINED = "declined", _("Declined")


class ReversalRequest(models.Model):
    """The sender's request to reverse an allocation the receiver already confirmed; the
    receiving unit agrees (the counter-entry is written then) or declines (ADR 0010)."""

    allocation = models.ForeignKey(
        Allocation,
        on_delete=models.PROTECT,
        related_name="reversal_requests",
        verbose_name=_("Allocation"),
    )
    reason = models.CharField(_("Reason"), max_length=500)
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=ReversalStatus.choices,
        default=ReversalStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    requested_at = models.DateTimeField(_("Requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Decided by"),
    )
    decided_at = models.DateTimeField(_("Decided at"), null=True, blank=True)
    decision_note = models.CharField(_("Reason for declining"), max_length=500, blank=True)
    form_key = form_key_field()

    class Meta:
        verbose_name = _("Reversal request")
        verbose_name_plural = _("Reversal requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation"],
                condition=Q(status="pending"),
                name="reversalrequest_one_pending_per_allocation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id} {self.status}"


class ReceiptCorrection(models.Model):
    """A correction of a receipt's arrival date by the receiving unit, with its reason; the
    receipt carries the current date, these rows the history (ADR 0010)."""

    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("Receipt")
    )
    old_date = models.DateField(_("Previous arrival date"))
    new_date = models.DateField(_("Corrected arrival date"))
    reason = models.CharField(_("Reason"), max_length=500)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Corrected by"),
    )
    corrected_at = models.DateTimeField(_("Corrected at"), auto_now_add=True)
    form_key = form_key_field()

    class Meta:
        verbose_name = _("Arrival date correction")
        verbose_name_plural = _("Arrival date corrections")
        ordering = ["receipt_id", "corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_date=F("new_date")), name="receiptcorrection_changes_the_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_id}: {self.old_date}→{self.new_date}"


class Balance(models.Model):
    """A filing's money of one source level: written only by the ledger, under row locks.

    `received` is the sum of incoming allocations of this level, `allocated_out` the sum of
    outgoing ones, `own` the unit's own funds (only on the unit's own level). Every filing has
    one row per source level.

    Database triggers add a school's balances into the per-authority report totals
    (zizhu/fundreports/rollups_sources.py, ADR 0008): renaming its table or a column it
    reads needs a migration freezing the triggers again (`manage.py rollups_freeze`).
    """

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="balances")
    source_level = models.CharField(max_length=12, choices=SourceLevel.choices)
    received = models.DecimalField(**MONEY, default=ZERO)
    allocated_out = models.DecimalField(**MONEY, default=ZERO)
    own = models.DecimalField(**MONEY, default=ZERO)

    class Meta:
        ordering = ["filing_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "source_level"], name="balance_one_per_filing_level"
            ),
            models.CheckConstraint(
                condition=Q(received__gte=0) & Q(allocated_out__gte=0) & Q(own__gte=0),
                name="balance_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(allocated_out__lte=F("received") + F("own") + FLOAT_SLACK),
                name="balance_not_overdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id}/{self.source_level}"

    @property
    def available(self) -> Decimal:
        return self.received + self.own - self.allocated_out
