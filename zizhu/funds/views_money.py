"""下拨 and 确认收到资金: an authority operator's allocation page for its national or local
filing, and the receiving unit's confirmation of receipt."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, require, require_that
from zizhu.funds import policy, services_money
from zizhu.funds.forms import AllocationForm, ReceiptForm
from zizhu.funds.selectors import allocation_targets, allocations_out, balances_of
from zizhu.funds.views import filing_crumbs, own_filing


def allocations(request, pk: int):
    """The sender's balances per source level, its allocations out, and a form to allocate to
    a direct child (only the levels with money available are offered)."""
    require(request, Action.FILE)
    require_that(request, policy.may_allocate(request.user), "not_an_authority_operator")
    filing = own_filing(request, pk)
    if filing.project.category not in policy.ALLOCATED_CATEGORIES:
        raise Http404
    balances = balances_of(filing)
    levels = [b.source_level for b in balances if b.available > 0]
    targets = allocation_targets(request.user, filing)
    form = AllocationForm(request.POST or None, targets=targets, levels=levels)
    if request.method == "POST" and form.is_valid():
        amounts = form.amounts()
        if not amounts:
            form.add_error(None, _("Enter an amount for at least one source level."))
        else:
            try:
                services_money.allocation_create(
                    source=filing,
                    target_unit=form.cleaned_data["target"],
                    amounts=amounts,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The funds were allocated."))
                return redirect("funds:allocations", pk=filing.pk)
    filing_crumbs(request, filing, _("Allocations"))
    return render(
        request,
        "funds/allocations.html",
        {
            "filing": filing,
            "balances": balances,
            "allocations": allocations_out(filing),
            "form": form,
            "has_money": bool(levels),
        },
    )


@require_POST
def receipt_confirm(request, pk: int):
    """确认收到资金 of every unconfirmed incoming allocation, with the arrival date; goes back
    to a safe `next` address (e.g. a summary page) or to the filing."""
    require(request, Action.FILE)
    filing = own_filing(request, pk)
    form = ReceiptForm(request.POST)
    if form.is_valid():
        try:
            services_money.receipt_confirm(
                filing=filing, arrival_date=form.cleaned_data["arrival_date"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The receipt of the funds was confirmed."))
    else:
        messages.error(request, _("Enter the date the funds arrived."))
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("funds:filing_edit", pk=filing.pk)
