"""The funds lines of a home page's to-do: filings returned or awaiting review, money that
arrived without a confirmed receipt, reversals awaiting the receiver's agreement, deadlines
within a week. Each count is taken from the
filing list with the filters of its link (`selectors.own_filing_condition`)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import (
    is_authority,
    is_authority_operator,
    is_school_operator,
    is_school_reviewer,
)
from zizhu.catalogue.models import Category
from zizhu.funds.models import FilingStatus
from zizhu.funds.selectors import own_filing_condition, own_filings
from zizhu.lib.todo import TodoLine

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


def _counts(user, categories, lines: list) -> list[dict[str, int]]:
    """Per line, the filings of the user's unit matching its filters, per category: one
    query for all the lines (a count with each line's condition)."""
    counts = {
        f"n{i}": Count("pk", filter=own_filing_condition(**filters))
        for i, (filters, _label) in enumerate(lines)
    }
    rows = (
        own_filings(user)
        .filter(project__category__in=categories)
        .order_by()
        .values("project__category")
        .annotate(**counts)
    )
    per_line: list[dict[str, int]] = [{} for _line in lines]
    for row in rows:
        for i, found in enumerate(per_line):
            found[row["project__category"]] = row[f"n{i}"]
    return per_line


def funds_todo(user) -> list[TodoLine]:
    """The funds lines of the user's to-do, in category order; none for roles that do not
    file. One grouped query whatever the number of filings and lines."""
    lines = _lines_of(user)
    if not lines:
        return []
    categories = AUTHORITY_CATEGORIES if is_authority(user) else tuple(Category.values)
    result = []
    for (filters, label), counts in zip(lines, _counts(user, categories, lines), strict=True):
        for category in categories:
            if counts.get(category):
                url = reverse(f"funds:filing_{category}") + "?" + urlencode(filters)
                result.append(
                    TodoLine(label % {"category": Category(category).label}, counts[category], url)
                )
    return result
