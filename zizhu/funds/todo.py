"""The funds lines of a home page's to-do: filings returned or awaiting review, money that
arrived without a confirmed receipt, reversals awaiting the receiver's agreement, deadlines
within a week. Each count is taken from the
filing list with the filters of its link (`selectors.own_filing_condition`)."""

from datetime import datetime

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
from zizhu.lib.compiled import (
    STAND_IN_IDS,
    STAND_IN_MOMENT,
    STAND_IN_PATH,
    compiled_rows,
    moment,
    prefix,
)
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


def _counts(user, categories, lines: list) -> list[dict[str, int]]:
    """Per line, the filings of the user's unit matching its filters, per category: the
    query compiled once per shape (zizhu.lib.compiled; building and compiling it cost
    ~2.5 ms of a school's ~8 ms home page, running it 0.2 ms)."""
    unit, now = user.unit, timezone.now()
    stand_unit, stand_parent = STAND_IN_IDS[:2]
    parent = None if unit.parent_id is None else stand_parent

    def build() -> QuerySet:
        stand_in = Unit(pk=stand_unit, parent_id=parent, path=STAND_IN_PATH)
        return _query(User(role=user.role, unit=stand_in), categories, lines, STAND_IN_MOMENT)

    marks = {stand_unit: "unit", prefix(STAND_IN_PATH): "path"}
    if any(filters.get("due") for filters, _label in lines):
        marks |= {moment(STAND_IN_MOMENT): "now", moment(STAND_IN_MOMENT + DUE_SOON): "soon"}
        marks |= {stand_parent: "parent"} if parent else {}
    values = {"unit": unit.pk, "parent": unit.parent_id, "path": prefix(unit.path)}
    values |= {"now": moment(now), "soon": moment(now + DUE_SOON)}
    rows = compiled_rows(
        ("funds_todo", user.role, parent is None, categories, tuple(map(id, lines))),
        build,
        marks,
        values,
    )
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
