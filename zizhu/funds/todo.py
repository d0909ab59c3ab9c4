"""The funds lines of a home page's to-do: filings returned or awaiting review, money that
arrived without a confirmed receipt, deadlines within a week. Each count is taken from the
filing list with the filters of its link (`selectors.filter_own_filings`)."""

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
from zizhu.funds.selectors import filter_own_filings, own_filings
from zizhu.lib.todo import TodoLine

# (filters of the filing list, label): the lines of the units' operators and of the school's
# reviewer
RETURNED = ({"status": FilingStatus.RETURNED}, _("Funds filings returned (%(category)s)"))
RECEIPTS = ({"receipt": "pending"}, _("Money arrived, receipt to confirm (%(category)s)"))
DUE = ({"due": "soon"}, _("Filing deadline within 7 days (%(category)s)"))
PENDING = ({"status": FilingStatus.PENDING}, _("Funds filings awaiting review (%(category)s)"))


def _lines_of(user) -> list:
    if is_school_operator(user):
        return [RETURNED, RECEIPTS, DUE]
    if is_school_reviewer(user):
        return [PENDING]
    if is_authority_operator(user):
        return [RECEIPTS, DUE]
    return []


AUTHORITY_CATEGORIES = (Category.NATIONAL, Category.LOCAL)


def _counts(user, categories, filters: dict) -> dict[str, int]:
    """Filings of the user's unit matching `filters`, per category (one query)."""
    rows = (
        filter_own_filings(own_filings(user).filter(project__category__in=categories), **filters)
        .order_by()
        .values("project__category")
        .annotate(n=Count("pk"))
    )
    return {row["project__category"]: row["n"] for row in rows}


def funds_todo(user) -> list[TodoLine]:
    """The funds lines of the user's to-do, in category order; none for roles that do not
    file. A few grouped queries whatever the number of filings."""
    lines = _lines_of(user)
    if not lines:
        return []
    categories = AUTHORITY_CATEGORIES if is_authority(user) else tuple(Category.values)
    result = []
    for filters, label in lines:
        counts = _counts(user, categories, filters)
        for category in categories:
            if counts.get(category):
                url = reverse(f"funds:filing_{category}") + "?" + urlencode(filters)
                result.append(
                    TodoLine(label % {"category": Category(category).label}, counts[category], url)
                )
    return result
