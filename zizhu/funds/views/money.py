"""下拨 and 确认收到资金: an authority operator's allocation page for its national or local
filing, and the receiving unit's confirmation of receipt."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, require, require_that
from zizhu.funds import policy, services
from zizhu.funds.forms import AllocationForm, ReceiptForm
from zizhu.funds.rows import Table, allocation_rows
from zizhu.funds.selectors import allocation_targets, balances_of, table_rows
from zizhu.funds.views.common import filing_crumbs, own_filing
from zizhu.lib.params import local_url


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
                allocation = services.allocation_create(
                    source=filing,
                    target_unit=form.cleaned_data["target"],
                    amounts=amounts,
                    actor=request.user,
                    key=form.cleaned_data["form_key"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                # a resent form lands here too, on the one allocation (docs/adr/0009)
                messages.success(request, _("The funds were allocated."))
                return redirect(
                    reverse("funds:allocations", args=[filing.pk]) + f"#allocation-{allocation.pk}"
                )
    filing_crumbs(request, filing, _("Allocations"))
    return render(
        request,
        "funds/allocations.html",
        {
            "filing": filing,
            "balances": balances,
            "allocation_rows": allocation_rows(request, table_rows(filing), Table.SENT),
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
            services.receipt_confirm(
                filing=filing,
                arrival_date=form.cleaned_data["arrival_date"],
                actor=request.user,
                key=form.cleaned_data["form_key"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The receipt of the funds was confirmed."))
    elif "form_key" in form.errors:
        messages.error(request, _("The form has expired; open the page again."))
    else:
        messages.error(request, _("Enter the date the funds arrived."))
    target = local_url(request, request.POST.get("next") or request.GET.get("next"))
    if target:
        return HttpResponseRedirect(target)
    return redirect("funds:filing_edit", pk=filing.pk)
