"""Helpers shared by the funds report pages: who may open them, the category in the URL, the
unit trail of a drill-down, and grouping rows "per child unit" in one query."""

import html
from collections.abc import Callable

from django.db import connection
from django.db.models import CharField, F, Func, QuerySet, Value
from django.db.models.functions import StrIndex, Substr
from django.http import Http404
from django.utils.html import conditional_escape

from zizhu.access import Action, can, is_authority, require, require_that, units_for
from zizhu.catalogue.models import Category
from zizhu.units import selectors
from zizhu.units.models import Unit


def authority_may(action: Action) -> Callable:
    """Menu predicate: an authority role (operator, supervisor, centre leader) with `action`."""
    return lambda user: can(user, action) and is_authority(user)


def require_authority(request, action: Action = Action.VIEW) -> None:
    """403 (audited) unless the user is an authority role that may perform `action`."""
    require(request, action)
    require_that(request, is_authority(request.user), "authority_only")


def escape_cell(value) -> str:
    """`conditional_escape` of a table cell, without its lazy-text wrapper for a plain str
    (nearly every cell of a report: the same text)."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


def category_or_404(category: str) -> Category:
    if category not in Category.values:
        raise Http404
    return Category(category)


def trail(user, unit: Unit) -> list[Unit]:
    """The units from the user's own unit down to `unit` (at most one query)."""
    return selectors.trail(user.unit, unit)


class ChildCode(Func):
    """The path segment right after `unit_path` in the path held by `path_field`.

    PostgreSQL reads it with `split_part` (the n-th segment), about twice as cheap a row as
    the portable `substr`/`instr` pair, which other databases use; both give the same text
    for every path strictly below the unit. `at` instead of `unit_path`: the number the unit's
    path gives on the connection's database (`child_position`), taken as a value, so that a
    query compiled once (zizhu.lib.compiled) serves units of any path."""

    def __init__(self, path_field: str, unit_path: str = "", *, at: int | None = None):
        # an expression, not a number: `Substr` refuses a stand-in's negative number
        offset = Value(len(unit_path) + 1 if at is None else at)
        segment = Value(unit_path.count("/") + 1 if at is None else at)
        portable = Substr(path_field, offset, StrIndex(Substr(path_field, offset), Value("/")) - 1)
        split = Func(
            F(path_field), Value("/"), segment, function="SPLIT_PART", output_field=CharField()
        )
        super().__init__(portable, split, output_field=CharField())

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[1])


def child_code(unit: Unit, path_field: str = "path") -> ChildCode:
    """An expression for the code of `unit`'s child whose subtree holds the row's unit.

    Rows must lie strictly below `unit` (path prefix, `unit` itself excluded: PostgreSQL
    refuses the negative length its row would give to `substr`); the child's code is the
    path segment right after `unit`'s own path. Grouping by it gives "per child unit" in
    one query.
    """
    return ChildCode(path_field, unit.path)


def children_in_scope(user, node: Unit) -> QuerySet[Unit]:
    """The node's child units the user may view, authorities first, then by code."""
    return units_for(user, Action.VIEW).filter(parent=node).order_by("level", "code")


def child_position(unit: Unit) -> int:
    """`ChildCode`'s `at` for `unit` on the connection's database: the number of the segment
    after its path (PostgreSQL's split_part), else the position after it (substr)."""
    if connection.vendor == "postgresql":
        return unit.path.count("/") + 1
    return len(unit.path) + 1


def below_per_child(
    queryset: QuerySet, unit: Unit, path_field: str = "path", layout: Unit | None = None
) -> QuerySet:
    """`queryset` narrowed to rows strictly below `unit` (by the path in `path_field`), each
    annotated with `child`: the code of `unit`'s child whose subtree holds the row. `layout`:
    the real unit whose path places the child code when `unit` stands in for it in a query
    compiled once (zizhu.lib.compiled; the same depth and path length)."""
    below = queryset.filter(**{f"{path_field}__startswith": unit.path}).exclude(
        **{path_field: unit.path}
    )
    return below.annotate(child=child_code(layout or unit, path_field)).order_by()
