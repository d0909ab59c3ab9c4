"""冲销 and 更正: the sender reverses an allocation (or asks the receiver to agree), the
receiver agrees or declines, the receiver corrects a receipt's arrival date
(docs/adr/0010-reversals-and-corrections.md). Each answers with a redirect to the page the
row is on, whether the POST wrote the row or an earlier POST of the same form did (ADR 0009).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, get_object_for_user, require_that
from zizhu.funds import policy, services
from zizhu.funds.forms import AgreeForm, DeclineForm, ReceiptCorrectionForm, ReverseForm
from zizhu.funds.models import Allocation, Receipt, ReversalRequest


def _errors(request, form) -> None:
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))


def _to(name: str, pk: int, anchor: str):
    return redirect(reverse(name, args=[pk]) + f"#{anchor}")


def allocation_to_reverse(request, pk: int) -> Allocation:
    """The allocation `pk` for its sender's operator to reverse: 404 outside the user's scope
    (or for a role that does not file), 403 (audited) for anyone but the sender's operator.
    The page and the API both ask here."""
    queryset = Allocation.objects.select_related("from_filing__unit", "to_filing__unit")
    allocation = get_object_for_user(request, queryset, Action.FILE, "from_filing__unit", pk=pk)
    require_that(request, policy.may_reverse(request.user, allocation), "not_the_sender")
    return allocation


@require_POST
def allocation_reverse(request, pk: int):
    """The sender's operator: a direct reversal before the receipt, a request after it."""
    allocation = allocation_to_reverse(request, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        data = {
            "allocation": allocation,
            "reason": form.cleaned_data["reason"],
            "actor": request.user,
            "key": form.cleaned_data["form_key"],
        }
        try:
            if allocation.receipt_id is None:
                services.allocation_reverse(**data)
                messages.success(request, _("The allocation was reversed."))
            else:
                services.reversal_request(**data)
                messages.success(
                    request, _("The reversal was requested; it waits for the receiver's agreement.")
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _to("funds:allocations", allocation.from_filing_id, f"allocation-{allocation.pk}")


def reversal_request_to_decide(request, pk: int) -> ReversalRequest:
    """The reversal request `pk` for the receiving unit's operator to agree to or decline: 404
    outside the user's scope (or for a role that does not file), 403 (audited) for anyone but
    the receiver's operator. The pages and the API both ask here."""
    queryset = ReversalRequest.objects.select_related(
        "allocation__to_filing__unit", "allocation__from_filing__unit"
    )
    found = get_object_for_user(
        request, queryset, Action.FILE, "allocation__to_filing__unit", pk=pk
    )
    require_that(
        request, policy.may_decide_reversal(request.user, found.allocation), "not_the_receiver"
    )
    return found


@require_POST
def reversal_agree(request, pk: int):
    found = reversal_request_to_decide(request, pk)
    form = AgreeForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.reversal_agree(
                request=found, actor=request.user, key=form.cleaned_data["form_key"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You agreed: the allocation was reversed."))
    return _to("funds:filing_edit", found.allocation.to_filing_id, "incoming")


@require_POST
def reversal_decline(request, pk: int):
    found = reversal_request_to_decide(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.reversal_decline(
                request=found, note=form.cleaned_data["note"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You declined the reversal."))
    return _to("funds:filing_edit", found.allocation.to_filing_id, "incoming")


def receipt_to_correct(request, pk: int) -> Receipt:
    """The receipt `pk` for the receiving unit's operator to correct its arrival date: 404
    outside the user's scope (or for a role that does not file), 403 (audited) for anyone but
    the receiver's operator. The page and the API both ask here."""
    queryset = Receipt.objects.select_related("filing__unit")
    receipt = get_object_for_user(request, queryset, Action.FILE, "filing__unit", pk=pk)
    require_that(request, policy.may_correct_receipt(request.user, receipt), "not_the_receiver")
    return receipt


@require_POST
def receipt_correct(request, pk: int):
    receipt = receipt_to_correct(request, pk)
    form = ReceiptCorrectionForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.receipt_correct(
                receipt=receipt,
                arrival_date=form.cleaned_data["arrival_date"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                key=form.cleaned_data["form_key"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The arrival date was corrected."))
    return _to("funds:filing_edit", receipt.filing_id, f"receipt-{receipt.pk}")
