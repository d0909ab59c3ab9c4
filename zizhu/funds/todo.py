"""The funds lines of a home page's to-do: filings returned or awaiting review, money that
arrived without a confirmed receipt, reversals awaiting the receiver's agreement, deadlines
within a week. Each count is taken from the
filing list with the filters of its link (`selectors.own_filing_condition`)."""

from datetime import UTC, datetime

from django.db import connection
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import (
    is_authority,
    is_authority_operator,
    is_school_operator,
    is_school_reviewer,
)
from zizhu.accounts.models import User
from zizhu.catalogue.models import Category
from zizhu.funds.models import FilingStatus
from zizhu.funds.selectors import DUE_SOON, own_filing_condition, own_filings
from zizhu.lib.todo import TodoLine
from zizhu.units.models import Unit

# (filters of the filing list, label): the lines of the units' operators and of the school's
# reviewer
RETURNED = ({"status": FilingStatus.RETURNED}, _("Funds filings returned (%(category)s)"))
RECEIPTS = ({"receipt": "pending"}, _("Money arrived, receipt to confirm (%(category)s)"))
DUE = ({"due": "soon"}, _("Filing deadline within 7 days (%(category)s)"))
PENDING = ({"status": FilingStatus.PENDING}, _("Funds filings awaiting review (%(category)s)"))
REVERSALS = (
    {"reversal": "pending"},
    _("Reversals awaiting your agreement (%(category)s)"),
)


def _lines_of(user) -> list:
    if is_school_operator(user):
        return [RETURNED, RECEIPTS, REVERSALS, DUE]
    if is_school_reviewer(user):
        return [PENDING]
    if is_authority_operator(user):
        return [RECEIPTS, REVERSALS, DUE]
    return []


AUTHORITY_CATEGORIES = (Category.NATIONAL, Category.LOCAL)


def _query(user, categories, lines: list, now: datetime) -> QuerySet:
    """Per category of the user's unit's filings, the count matching each line's filters:
    one query for all the lines (a count with each line's condition)."""
    counts = {
        f"n{i}": Count("pk", filter=own_filing_condition(**filters, now=now))
        for i, (filters, _label) in enumerate(lines)
    }
    return (
        own_filings(user)
        .filter(project__category__in=categories)
        .order_by()
        .values("project__category")
        .annotate(**counts)
    )


# `_query`'s SQL per shape (database, role, lines, categories, whether the unit has a
# parent), with the place of each parameter that is the user's: building and compiling it
# cost ~2 ms of a school's ~8 ms home page, running it ~0.5 ms. It is compiled for a
# stand-in unit whose values no row has, which mark where the user's go.
_COMPILED: dict[tuple, tuple[str, list, list[str]]] = {}
_UNIT, _PARENT, _PATH = -987_654_001, -987_654_002, "zizhu-stand-in/"
_NOW = datetime(2000, 1, 1, tzinfo=UTC)


def _like(path: str) -> str:
    """The parameter of `path__startswith` (the scope's condition)."""
    return connection.ops.prep_for_like_query(path) + "%"


def _moment(value: datetime):
    """A date-time as the database's parameter (SQLite's is text)."""
    return connection.ops.adapt_datetimefield_value(value)


def _compiled(user, categories, lines: list) -> tuple[str, list, list[str]]:
    unit = user.unit
    key = (connection.vendor, user.role, unit.parent_id is None, categories, tuple(map(id, lines)))
    found = _COMPILED.get(key)
    if found is None:
        parent = None if unit.parent_id is None else _PARENT
        stand_in = User(role=user.role, unit=Unit(pk=_UNIT, parent_id=parent, path=_PATH))
        sql, params = _query(stand_in, categories, lines, _NOW).query.sql_with_params()
        marks = {_UNIT: "unit", _PARENT: "parent", _like(_PATH): "path"}
        marks |= {_moment(_NOW): "now", _moment(_NOW + DUE_SOON): "soon"}
        slots = [marks.get(p, "") if isinstance(p, int | str | datetime) else "" for p in params]
        wanted = {"unit", "path"}  # where the user's values must go, or the shape is not this
        if any(filters.get("due") for filters, _label in lines):
            wanted |= {"now", "soon"} | ({"parent"} if parent else set())
        if not wanted <= set(slots):
            raise RuntimeError(f"the to-do's query has no place for {wanted - set(slots)}")
        found = _COMPILED[key] = (sql, list(params), slots)
    return found


def _counts(user, categories, lines: list) -> list[dict[str, int]]:
    """Per line, the filings of the user's unit matching its filters, per category."""
    sql, params, slots = _compiled(user, categories, lines)
    now = timezone.now()
    unit = user.unit
    values = {"unit": unit.pk, "parent": unit.parent_id, "path": _like(unit.path)}
    values |= {"now": _moment(now), "soon": _moment(now + DUE_SOON)}
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[s] if s else p for p, s in zip(params, slots, strict=True)])
        rows = cursor.fetchall()
    per_line: list[dict[str, int]] = [{} for _line in lines]
    for category, *counts in rows:
        for found, count in zip(per_line, counts, strict=True):
            found[category] = count
    return per_line


def _categories(user) -> tuple[str, ...]:
    return AUTHORITY_CATEGORIES if is_authority(user) else tuple(Category.values)


def funds_todo(user) -> list[TodoLine]:
    """The funds lines of the user's to-do, in category order; none for roles that do not
    file. One grouped query whatever the number of filings and lines."""
    lines = _lines_of(user)
    if not lines:
        return []
    categories = _categories(user)
    result = []
    for (filters, label), counts in zip(lines, _counts(user, categories, lines), strict=True):
        for category in categories:
            if counts.get(category):
                url = reverse(f"funds:filing_{category}") + "?" + urlencode(filters)
                result.append(
                    TodoLine(label % {"category": Category(category).label}, counts[category], url)
                )
    return result
