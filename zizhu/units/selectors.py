"""Reads of the unit tree. Callers pass in an already scoped unit (see zizhu.access)."""

from typing import TypedDict

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

from zizhu.units.models import Level, Unit


def subtree(unit: Unit) -> QuerySet[Unit]:
    """The unit and everything below it: one query on the indexed path prefix."""
    return Unit.objects.filter(path__startswith=unit.path)


def ancestors(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(code__in=unit.ancestor_codes()).order_by("depth")


def trail(root: Unit, unit: Unit) -> list[Unit]:
    """The units from `root` down to `unit`, a unit of root's subtree (a page's breadcrumbs
    below the user's own unit): one query for the units between the two, none when there are
    none (the user's own unit, or a child of it)."""
    if unit.pk == root.pk:
        return [root]
    codes = unit.ancestor_codes()
    between = codes[codes.index(root.code) + 1 : -1]
    if not between:
        return [root, unit]
    return [root, *Unit.objects.filter(code__in=between).order_by("depth"), unit]


class ChildSchools(TypedDict):
    unit: Unit
    stages: dict[str, int]  # stage → schools below the child
    schools: int


def children_with_school_counts(unit: Unit) -> list[ChildSchools]:
    """Each child of `unit` with the number of schools below it per stage (two queries)."""
    children = list(unit.children.order_by("level", "code"))
    offset = len(unit.path) + 1
    rest = Substr("path", offset)
    counts = (
        Unit.objects.filter(path__startswith=unit.path, level=Level.SCHOOL)
        .exclude(pk=unit.pk)
        .annotate(child=Substr("path", offset, StrIndex(rest, Value("/")) - 1))
        .values("child", "stage")
        .annotate(n=Count("id"))
    )
    per_child: dict[str, dict[str, int]] = {}
    for row in counts:
        per_child.setdefault(row["child"], {})[row["stage"]] = row["n"]
    return [
        {
            "unit": child,
            "stages": per_child.get(child.code, {}),
            "schools": sum(per_child.get(child.code, {}).values()),
        }
        for child in children
    ]
