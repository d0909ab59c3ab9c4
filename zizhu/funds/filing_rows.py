"""The filing list's body rows, escaped, as the template wrote them (the white space between
the cells aside): built here because a page of a unit's filings (fifty at most, ten cells each
with its filters and a `{% url %}`) cost more through the template than the page's queries."""

from collections.abc import Iterable
from datetime import datetime

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zizhu.funds.models import FilingStatus
from zizhu.lib.addresses import address_of
from zizhu.lib.formats import minute, yuan
from zizhu.lib.i18n import labels


def _amounts(f, *, authority: bool, category: str) -> str:
    """The money cells: what the list's columns show for the unit's kind and the category."""
    if authority:
        figures = (f.received or 0, f.own_funds, f.allocated or 0)
    elif category == "school":
        figures = (f.received_funds, f.school_funds, f.other_funds)
    elif category == "social":
        figures = (f.social_funds, f.other_funds)
    else:
        figures = (f.received or 0,)
    return "".join(f'<td class="num">{conditional_escape(yuan(v))}</td>' for v in figures)


def filing_rows(filings: Iterable, *, authority: bool, category: str, now: datetime) -> SafeString:
    """The rows of `filings` (from `selectors.filings_of_unit`, with `received`, `allocated`
    and `due_at`), or the empty row; `authority`: the unit's kind, which picks the columns."""
    e = conditional_escape
    address = address_of("funds:filing_edit")
    statuses = labels(FilingStatus.choices)
    passed = f' <span class="hint">{e(_("passed"))}</span>'
    late = f' <span class="risk-high">{e(_("late"))}</span>'
    rows = []
    for f in filings:
        due = ""
        if f.due_at:
            due = minute(f.due_at) + (passed if f.due_at <= now else "")
        submitted = minute(f.submitted_at) if f.submitted_at else ""
        if f.due_at and f.submitted_at and f.submitted_at > f.due_at:
            submitted += late
        rows.append(
            "\n    <tr>\n"
            f"      <td>{f.year}</td>\n"
            f'      <td><a href="{address(f.pk)}">{e(f.project.name)}</a></td>\n'
            f'      <td data-testid="status">{statuses.get(f.status) or e(f.status)}</td>\n'
            f"      {_amounts(f, authority=authority, category=category)}\n"
            f"      <td>{due}</td>\n"
            f"      <td>{submitted}</td>\n"
            "    </tr>\n  "
        )
    if not rows:
        empty = e(_("No filings yet."))
        rows.append(f'<tr><td colspan="9" class="empty">{empty}</td></tr>\n  ')
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
