"""Cost-sharing configuration (资金分担) read by 资金收支汇总, and the per-authority totals of
school rows the summary reads at province and national level (kept by triggers: rollups.py).

The central share of jointly funded projects is set per tier (State Council 2018 No. 6) and
each province-level unit (and each separately planned city) belongs to a tier, keyed by its
division code so the table holds all provinces whether or not their units are loaded. Below
the province the split is the province's own policy: optional configuration. See
docs/adr/0007-cost-sharing-and-summary.md.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zizhu.funds.models import MONEY, ZERO, SourceLevel

SHARE = {"max_digits": 5, "decimal_places": 2}


class CostSharingTier(models.Model):
    """One policy tier: the central share (%) of jointly funded projects."""

    number = models.PositiveSmallIntegerField(_("Tier"), unique=True)
    central_share = models.DecimalField(_("Central share (%)"), **SHARE)
    note = models.CharField(_("Note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Cost-sharing tier")
        verbose_name_plural = _("Cost-sharing tiers")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(central_share__gte=0) & Q(central_share__lte=100),
                name="costsharingtier_share_percent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.central_share}%"


class ProvinceTier(models.Model):
    """The tier of a province-level unit or a separately planned city (计划单列市)."""

    code = models.CharField(_("Division code"), max_length=6, unique=True)
    name = models.CharField(_("Name"), max_length=50)
    tier = models.ForeignKey(
        CostSharingTier, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("Tier")
    )

    class Meta:
        verbose_name = _("Province cost-sharing tier")
        verbose_name_plural = _("Province cost-sharing tiers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class ProvinceSplit(models.Model):
    """A province's split of the local share below the central one: the prefectures' and the
    counties' percentage of the local funds; the province carries the rest."""

    code = models.CharField(_("Division code"), max_length=6, unique=True)
    prefecture_share = models.DecimalField(_("Prefecture share of local funds (%)"), **SHARE)
    county_share = models.DecimalField(_("County share of local funds (%)"), **SHARE)
    note = models.CharField(_("Note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Province split of local funds")
        verbose_name_plural = _("Province splits of local funds")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(prefecture_share__gte=0)
                & Q(county_share__gte=0)
                & Q(prefecture_share__lte=Decimal("100") - models.F("county_share")),
                name="provincesplit_shares_percent",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def province_share(self) -> Decimal:
        return Decimal("100") - self.prefecture_share - self.county_share


def path_index(name: str) -> models.Index:
    """The totals under a scope or a node are read by the prefix of `authority_path`: below
    the top of the tree an index range, not the whole table (PostgreSQL's pattern operator
    class; other databases ignore it)."""
    return models.Index(fields=["authority_path"], name=name, opclasses=["varchar_pattern_ops"])


class PerAuthority(models.Model):
    """A total of the school rows directly under one authority (rollups.py)."""

    authority = models.ForeignKey(
        "units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("Authority")
    )
    # The authority's materialised path, copied by the trigger: reports filter and group by
    # it without joining the units (units.Unit.path; schools do not move, see rollups.py).
    authority_path = models.CharField(max_length=120)

    class Meta:
        abstract = True


class PerAuthorityYear(PerAuthority):
    """A total per authority, year of use and aid project."""

    year = models.PositiveSmallIntegerField(_("Year of use"))
    project = models.ForeignKey("catalogue.AidProject", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class SchoolBalanceTotal(PerAuthorityYear):
    """The balances of the schools directly under one authority, per year, project and source
    level: a projection of `funds.Balance` that database triggers keep current in the same
    transaction as the ledger writes (zizhu/fundreports/rollups.py). The summary of a
    province or of the country reads these thousands of rows instead of the balances of
    every school. Never written by application code."""

    source_level = models.CharField(max_length=12, choices=SourceLevel.choices)
    received = models.DecimalField(**MONEY, db_default=ZERO)
    own = models.DecimalField(**MONEY, db_default=ZERO)
    allocated_out = models.DecimalField(**MONEY, db_default=ZERO)

    class Meta:
        verbose_name = _("School balance total")
        verbose_name_plural = _("School balance totals")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "project", "source_level"],
                name="schoolbalancetotal_one_per_key",
            )
        ]
        indexes = [path_index("schoolbalancetotal_path")]

    def __str__(self) -> str:
        return f"{self.authority_id}/{self.year}/{self.project_id}/{self.source_level}"


class SchoolPaymentTotal(PerAuthorityYear):
    """What the schools directly under one authority paid out for a project in a year: their
    voucher total (财务支付总金额) and approved recipient-list total (资助名单总资金, the lists of
    the terms in that calendar year). Kept by triggers like `SchoolBalanceTotal`."""

    voucher_amount = models.DecimalField(**MONEY, db_default=ZERO)
    vouchers = models.IntegerField(db_default=0)
    voucher_students = models.IntegerField(db_default=0)  # students the vouchers aided
    list_amount = models.DecimalField(**MONEY, db_default=ZERO)

    class Meta:
        verbose_name = _("School payment total")
        verbose_name_plural = _("School payment totals")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "project"], name="schoolpaymenttotal_one_per_key"
            )
        ]
        indexes = [path_index("schoolpaymenttotal_path")]

    def __str__(self) -> str:
        return f"{self.authority_id}/{self.year}/{self.project_id}"


class SchoolCount(PerAuthority):
    """How many schools of a stage hang directly under one authority (and how many of them
    are active). Kept by triggers on the units, like `SchoolBalanceTotal`."""

    stage = models.CharField(max_length=20)
    schools = models.IntegerField(db_default=0)
    active = models.IntegerField(db_default=0)

    class Meta:
        verbose_name = _("School count")
        verbose_name_plural = _("School counts")
        constraints = [
            models.UniqueConstraint(fields=["authority", "stage"], name="schoolcount_one_per_key")
        ]
        indexes = [path_index("schoolcount_path")]

    def __str__(self) -> str:
        return f"{self.authority_id}/{self.stage}: {self.schools}"


class SchoolFilingCount(PerAuthorityYear):
    """How many schools directly under one authority filed a project for a year (active
    schools of the project's stage, filing submitted or locked) and how many of them late,
    against the deadline the authority set. Kept by triggers on the filings, the schools and
    the deadlines (rollups.py); read by 资金填报进展 above the county."""

    filed = models.IntegerField(db_default=0)
    late = models.IntegerField(db_default=0)

    class Meta:
        verbose_name = _("School filing count")
        verbose_name_plural = _("School filing counts")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "project"], name="schoolfilingcount_one_per_key"
            )
        ]
        indexes = [path_index("schoolfilingcount_path")]

    def __str__(self) -> str:
        return f"{self.authority_id}/{self.year}/{self.project_id}: {self.filed}"
