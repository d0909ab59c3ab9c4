from collections import Counter
from collections.abc import Iterable

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zizhu.units.models import Stage

ANY_STAGE = "any"
# A project's stage is a unit stage (a school of that stage files it) or "any" (ADR 0023).
PROJECT_STAGES = [*Stage.choices, (ANY_STAGE, _("Any stage"))]


class Category(models.TextChoices):
    NATIONAL = "national", _("National aid")
    LOCAL = "local", _("Local aid")
    SCHOOL = "school", _("School aid")
    SOCIAL = "social", _("Social aid")


class AidProject(models.Model):
    """An aid project (资助项目) of the catalogue: data, extended by the system administrator
    and, for local aid, by a province's operator (`province` is then that province).

    `code` is the name used on the command line (e.g. `vocational_national_grant`)."""

    code = models.SlugField(_("Code"), max_length=60, unique=True)
    name = models.CharField(_("Name"), max_length=100)
    stage = models.CharField(_("Stage"), max_length=20, choices=PROJECT_STAGES)
    category = models.CharField(_("Category"), max_length=10, choices=Category.choices)
    standard_amount = models.DecimalField(
        _("Standard amount (yuan per year)"), max_digits=12, decimal_places=2, default=0
    )
    jointly_funded = models.BooleanField(_("Jointly funded by central and local"), default=False)
    note = models.CharField(_("Note"), max_length=200, blank=True)
    source = models.CharField(_("Policy source"), max_length=200, blank=True)
    province = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Province's own project of"),
    )
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = _("Aid project")
        verbose_name_plural = _("Aid projects")
        ordering = ["category", "stage", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(standard_amount__gte=0), name="aidproject_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[value for value, _label in PROJECT_STAGES]),
                name="aidproject_stage_of_units",
            ),
            models.CheckConstraint(
                condition=Q(province__isnull=True) | Q(category="local"),
                name="aidproject_province_only_local",
            ),
        ]

    def __str__(self) -> str:
        # what dropdowns and pages show: the name, never the code
        return self.name


def told_apart(projects: "Iterable[AidProject]") -> dict[int, str]:
    """What each of `projects` is called where they are shown together, by id: its name, and
    where several share the name (校内困难补助 is one project a stage), the name and its stage:
    校内困难补助（中等职业教育）."""
    unique = {p.pk: p for p in projects}.values()
    counts = Counter(p.name for p in unique)
    return {
        p.pk: f"{p.name}（{p.get_stage_display()}）" if counts[p.name] > 1 else p.name
        for p in unique
    }
