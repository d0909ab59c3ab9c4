"""Which aid projects a unit sees: the active ones of its stage (schools) and, for local aid,
the nationwide ones plus its own province's (ADR 0023)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zizhu.catalogue.models import ANY_STAGE, AidProject, Category
from zizhu.units.models import Unit


def province_code(unit: Unit) -> str | None:
    """The code of the province `unit` lies in (None for the central unit), from its path."""
    codes = unit.ancestor_codes()
    return codes[1] if len(codes) > 1 else None


def _of_province(unit: Unit) -> Q:
    """Projects of no province, or of the unit's own."""
    code = province_code(unit)
    return Q(province__isnull=True) | (Q(province__code=code) if code else Q(pk__in=[]))


def projects_for_unit(unit: Unit, category: str | None = None) -> QuerySet[AidProject]:
    """The active projects `unit` may file (in `category` when given): a school those of its
    stage or of any stage; everyone only their own province's local projects."""
    projects = AidProject.objects.filter(_of_province(unit), is_active=True)
    if category is not None:
        projects = projects.filter(category=category)
    if unit.is_school:
        projects = projects.filter(stage__in=[unit.stage, ANY_STAGE])
    return projects


def project_is_for(project: AidProject, unit: Unit) -> bool:
    """Whether `project` belongs to `unit`'s stage and province (active or not: a retired
    project's existing filings stay valid)."""
    if project.province_id is not None and project.province.code != province_code(unit):
        return False
    return not unit.is_school or project.stage in (ANY_STAGE, unit.stage)


def not_for_unit(project: AidProject, unit: Unit) -> str:
    """The message when `project` is not for `unit` (see project_is_for)."""
    return _("The aid project %(project)s is not of the stage or the province of %(unit)s") % {
        "project": project.name,
        "unit": unit.name,
    }


def reported_projects(unit: Unit, category: str) -> QuerySet[AidProject]:
    """The projects of `category` a unit's reports may name, retired ones too: all of them
    for the central unit, else the nationwide ones and the unit's own province's."""
    projects = AidProject.objects.filter(category=category)
    return projects if province_code(unit) is None else projects.filter(_of_province(unit))


def local_projects_of(province: Unit) -> QuerySet[AidProject]:
    """The province's own local projects, active first."""
    return AidProject.objects.filter(category=Category.LOCAL, province=province).order_by(
        "-is_active", "stage", "name"
    )
