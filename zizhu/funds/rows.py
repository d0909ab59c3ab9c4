"""The rows of the allocation tables (the allocations page, a filing's allocations out and in),
escaped, as the templates wrote them: built here because a county's page lists an allocation
to each of its schools, some hundreds of rows, and through the template each row cost more
than the page's queries (an include, four amounts, two dates, a form with its token per row).
The rows come from `selectors.table_rows`, read as values, not models.

A row's last cell is its reversal state: a counter-entry, a reversed allocation, a reversal
requested (with the receiver's forms to agree or decline), or the sender's form to reverse."""

import uuid
from collections.abc import Iterable
from enum import Enum

from django.middleware.csrf import get_token
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from zizhu.funds.selectors import TableRow
from zizhu.lib.addresses import address_of
from zizhu.lib.formats import cell_formatter, day, minute


class Table(Enum):
    SENT = "sent"  # the allocations page: the sender's rows, with their dates and forms
    OUT = "out"  # a filing's page: its allocations out, states only
    IN = "in"  # a filing's page: its allocations in, with the receiver's forms


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{conditional_escape(value)}">'


class _Shared:
    """What every row of one table shares: the form addresses, with a hole for the number,
    and the labels in the request's language, escaped (translated once, not once a row)."""

    def __init__(self, csrf: str) -> None:
        self.csrf = csrf
        self.agree = address_of("funds:reversal_agree")
        self.decline = address_of("funds:reversal_decline")
        self.reverse = address_of("funds:allocation_reverse")
        e = conditional_escape
        self.counter_entry = e(_("Counter-entry (冲销)"))
        self.reversed = e(_("Reversed"))
        self.waiting = e(_("Reversal requested, awaiting the receiver's agreement"))
        self.reason = e(_("Reason"))
        self.agree_label = e(_("Agree to the reversal"))
        self.decline_reason = e(_("Reason for declining"))
        self.decline_label = e(_("Decline"))
        self.received = (e(_("Reason (the receiver must agree)")), e(_("Request reversal")))
        self.not_received = (e(_("Reason for the reversal")), e(_("Reverse")))


def _cell(a: TableRow, *, sender: bool, may_correct: bool, shared: _Shared) -> str:
    """The reversal cell of `a` (`sender`: the sender's form; `may_correct`: the receiver's)."""
    e, csrf = conditional_escape, shared.csrf
    if a.reverses_id:
        reason = f' <span class="hint">{e(a.reason)}</span>' if a.reason else ""
        text = f'<span class="status-returned">{shared.counter_entry}</span>{reason}\n'
    elif a.reversed_at:
        text = f'<span class="hint">{shared.reversed} {day(a.reversed_at)}</span>\n'
    elif a.pending_requests:
        text = f'<span class="hint">{shared.waiting}</span>'
        if not sender and may_correct:
            r = a.pending_requests[0]
            agree, decline = shared.agree(r.pk), shared.decline(r.pk)
            text += (
                f'\n  <span data-testid="reversal-request-{r.pk}">{shared.reason}: '
                f"{e(r.reason)}</span>\n"
                f'  <form method="post" action="{agree}" class="inline">{csrf}'
                f"{_hidden('form_key', str(uuid.uuid4()))}"
                f'<button type="submit">{shared.agree_label}</button></form>\n'
                f'  <form method="post" action="{decline}" class="inline">{csrf}'
                f'<label>{shared.decline_reason} <input type="text" name="note" '
                f'maxlength="500" required></label><button type="submit" class="link">'
                f"{shared.decline_label}</button></form>\n"
            )
        text += "\n"
    elif sender:
        action = shared.reverse(a.pk)
        label, button = shared.received if a.receipt_id else shared.not_received
        text = (
            f'<form method="post" action="{action}" class="inline" data-testid="reverse-{a.pk}">'
            f"{csrf}{_hidden('form_key', str(uuid.uuid4()))}<label>{label} "
            f'<input type="text" name="reason" maxlength="500" required></label>'
            f'<button type="submit">{button}</button></form>\n'
        )
    else:
        text = ""
    return text + "\n"


def allocation_rows(
    request, allocations: Iterable[TableRow], table: Table, *, may_correct: bool = False
) -> SafeString:
    """The body rows of one of the allocation tables (`may_correct`: the receiver's forms)."""
    e = conditional_escape
    shared = _Shared(_hidden("csrfmiddlewaretoken", get_token(request)))
    not_confirmed = f'<span class="hint">{e(_("not confirmed"))}</span>'
    money = cell_formatter()  # "元" translated once, not four times a row
    rows = []
    for a in allocations:
        if a.receipt_id:
            arrival = day(a.arrival_date)
        elif not a.reverses_id and not a.reversed_at:
            arrival = not_confirmed
        else:
            arrival = ""
        amounts = "".join(
            f'<td class="num">{e(money(v))}</td>'
            for v in (a.central, a.provincial, a.prefectural, a.county)
        )
        if table is Table.SENT:
            cell = _cell(a, sender=True, may_correct=False, shared=shared)
            rows.append(
                f'<tr id="allocation-{a.pk}" data-testid="allocation-{a.pk}">'
                f"<td>{e(a.unit_name)}</td>{amounts}<td>{minute(a.created_at)}</td>"
                f"<td>{arrival}</td>\n    <td>{cell}</td></tr>\n  "
            )
        elif table is Table.OUT:
            cell = _cell(a, sender=False, may_correct=False, shared=shared)
            rows.append(
                f"<tr><td>{e(a.unit_name)}</td>{amounts}<td>{arrival}</td><td>{cell}</td></tr>"
            )
        else:
            cell = _cell(a, sender=False, may_correct=may_correct, shared=shared)
            rows.append(
                f'<tr id="incoming-{a.pk}"><td>{e(a.unit_name)}</td>{amounts}'
                f"<td>{arrival}</td><td>{cell}</td></tr>"
            )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
