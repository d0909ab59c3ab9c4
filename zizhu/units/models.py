from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    SCHOOL = "school", _("School")


class Stage(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    COMPULSORY = "compulsory", _("Compulsory education")
    SENIOR_HIGH = "senior_high", _("Senior high")
    VOCATIONAL = "vocational", _("Secondary vocational")
    HIGHER = "higher", _("Higher education")
    SPECIAL = "special", _("Special education")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


AUTHORITY_LEVELS = (Level.CENTRAL, Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


class Unit(models.Model):
    """An authority or a school, placed in the tree by a materialised path.

    `path` is the codes from the root down to this unit, each followed by "/", so that
    "everything under X" is `path LIKE 'X.path%'`, one indexed query.

    Database triggers add a school (its count, and the filing counts through its active
    flag, stage and parent) into the per-authority report totals
    (zizhu/fundreports/rollups_sources.py, ADR 0008): renaming its table or a column it
    reads needs a migration freezing the triggers again (`manage.py rollups_freeze`).
    """

    code = models.CharField(_("Code"), max_length=10, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    level = models.CharField(_("Level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("Parent unit"),
    )
    path = models.CharField(max_length=120, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    stage = models.CharField(_("Stage"), max_length=12, choices=Stage.choices, blank=True)
    ownership = models.CharField(
        _("Ownership"), max_length=8, choices=Ownership.choices, blank=True
    )
    kind = models.CharField(_("Kind"), max_length=20, blank=True)
    is_active = models.BooleanField(_("Active"), default=True)

    class Meta:
        verbose_name = _("Unit")
        verbose_name_plural = _("Unit")
        ordering = ["path"]
        indexes = [
            # The ~3,300 authorities among ~230,000 schools: "the authorities under X" (reports
            # summing per-authority totals) reads only them.
            models.Index(
                fields=["path"],
                name="unit_authority_path",
                condition=~Q(level="school"),
                opclasses=["varchar_pattern_ops"],
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="school", stage__gt="") | (~Q(level="school") & Q(stage="")),
                name="unit_stage_only_for_schools",
            ),
            models.CheckConstraint(
                condition=Q(level="central", parent__isnull=True)
                | (~Q(level="central") & Q(parent__isnull=False)),
                name="unit_only_central_is_root",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_school(self) -> bool:
        return self.level == Level.SCHOOL

    @property
    def is_authority(self) -> bool:
        return self.level != Level.SCHOOL

    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this unit, read from the path (no query)."""
        return [code for code in self.path.split("/") if code]

    def contains(self, other: "Unit") -> bool:
        return other.path.startswith(self.path)
