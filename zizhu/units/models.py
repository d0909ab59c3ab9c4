from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地市级")
    COUNTY = "county", _("区县级")
    SCHOOL = "school", _("学校")


class Stage(models.TextChoices):
    PRESCHOOL = "preschool", _("学前教育")
    COMPULSORY = "compulsory", _("义务教育")
    SENIOR_HIGH = "senior_high", _("普通高中")
    VOCATIONAL = "vocational", _("中等职业教育")
    HIGHER = "higher", _("高等教育")
    SPECIAL = "special", _("特殊教育")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


AUTHORITY_LEVELS = (Level.CENTRAL, Level.PROVINCE, Level.PREFECTURE, Level.COUNTY)
LEVEL_RANK = {level: rank for rank, level in enumerate(Level.values)}


class Unit(models.Model):
    """An authority or a school, placed in the tree by a materialised path.

    `path` is the codes from the root down to this unit, each followed by "/", so that
    "everything under X" is `path LIKE 'X.path%'`, one indexed query.
    """

    code = models.CharField(_("代码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    path = models.CharField(max_length=120, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    stage = models.CharField(_("学段"), max_length=12, choices=Stage.choices, blank=True)
    ownership = models.CharField(_("办学性质"), max_length=8, choices=Ownership.choices, blank=True)
    kind = models.CharField(_("类型"), max_length=20, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
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
