"""Cost-sharing configuration (资金分担) read by 资金收支汇总.

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
