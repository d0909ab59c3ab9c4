"""资助资金填报: the unit's own filings per category, the edit page, the status flow and the
PDF body's download. Allocation and receipt pages are in `money`, deadlines in `deadlines`."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, can, get_object_for_user, require
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import Category
from zizhu.funds import policy, services
from zizhu.funds.filing_rows import filing_rows
from zizhu.funds.forms import (
    AuthorityFilingForm,
    NewFilingForm,
    ReceiptForm,
    ReturnForm,
    SchoolFilingForm,
)
from zizhu.funds.models import Filing, FilingStatus, SourceLevel
from zizhu.funds.rows import Table, allocation_rows
from zizhu.funds.selectors import (
    arrival_dates_by_level,
    awaiting_receipt,
    balances_of,
    deadline_of,
    filings_of_unit,
    filter_own_filings,
    is_frozen,
    receipts_of,
    received_by_level,
    table_rows,
)
from zizhu.funds.views.common import filing_crumbs, own_filing, require_filer
from zizhu.lib.downloads import stored_download
from zizhu.lib.params import year_param
from zizhu.lib.uploads import UploadRejected

PAGE_SIZE = 50


def _category(category: str) -> str:
    if category not in Category.values:
        raise Http404
    return category


def _render_list(request, category: str, form, status: int = 200):
    filings = filings_of_unit(request.user, category)
    year = year_param(request.GET.get("year"))
    if year is not None:
        filings = filings.filter(year=year)
    chosen = {name: request.GET.get(name, "") for name in ("status", "receipt", "reversal", "due")}
    filings = filter_own_filings(filings, **chosen)
    page = Paginator(filings, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    unit = request.user.unit
    return render(
        request,
        "funds/filing_list.html",
        {
            "category": category,
            "category_label": Category(category).label,
            "unit": unit,
            "page": page,
            "rows": filing_rows(page, authority=unit.is_authority, category=category, now=now),
            "year": year,
            "chosen": chosen,
            "statuses": FilingStatus.choices,
            "query": urlencode({k: v for k, v in {"year": year, **chosen}.items() if v}),
            "form": form,
        },
        status=status,
    )


def filing_list(request, category: str):
    require_filer(request, _category(category))
    may_create = can(request.user, Action.FILE)
    form = NewFilingForm(unit=request.user.unit, category=category) if may_create else None
    return _render_list(request, category, form)


@require_POST
def filing_create(request, category: str):
    require_filer(request, _category(category))
    require(request, Action.FILE)
    form = NewFilingForm(request.POST, unit=request.user.unit, category=category)
    if form.is_valid():
        try:
            filing = services.filing_create(
                unit=request.user.unit,
                year=form.cleaned_data["year"],
                project=form.cleaned_data["project"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("funds:filing_edit", pk=filing.pk)
    return _render_list(request, category, form)


def _edit_form(filing: Filing, data=None, files=None):
    initial = {"version": filing.version}
    if filing.unit.is_authority:
        for name in ("doc_number", "doc_date", "doc_title", "own_funds"):
            initial[name] = getattr(filing, name)
        return AuthorityFilingForm(data, files, initial=initial)
    names = services.SCHOOL_FIELDS[filing.project.category]
    if not names:
        return None  # a school's national or local filing: nothing of its own to fill
    initial.update({name: getattr(filing, name) for name in names})
    return SchoolFilingForm(data, initial=initial, category=filing.project.category)


def _edit_page(request, filing: Filing, form, status: int = 200):
    user = request.user
    filing_crumbs(request, filing, _("Filing"))
    deadline = deadline_of(filing)
    frozen = is_frozen(filing, deadline)
    received = received_by_level(filing)
    arrivals = arrival_dates_by_level(filing)
    levels = [
        (value, label, received[value], arrivals[value]) for value, label in SourceLevel.choices
    ]
    incoming = table_rows(filing, incoming=True)
    out = table_rows(filing) if filing.unit.is_authority else []
    may_correct = can(user, Action.FILE)
    actions = policy.filing_actions(user, filing, frozen)
    return render(
        request,
        "funds/filing_edit.html",
        {
            "filing": filing,
            "authority": filing.unit.is_authority,
            "category_label": Category(filing.project.category).label,
            "form": form if actions.edit else None,
            "deadline": deadline,
            "frozen": frozen,
            "late": bool(
                deadline and filing.submitted_at and filing.submitted_at > deadline.due_at
            ),
            "levels": levels,
            "received_total": sum(received.values()),
            "balances": balances_of(filing) if filing.unit.is_authority else [],
            "allocations_out": out,
            "allocations_out_rows": allocation_rows(request, out, Table.OUT),
            "incoming": incoming,
            "incoming_rows": allocation_rows(request, incoming, Table.IN, may_correct=may_correct),
            "unconfirmed": [a for a in incoming if awaiting_receipt(a)],
            "receipt_form": ReceiptForm() if can(user, Action.FILE) else None,
            # corrections (ADR 0010): the receipts with their history, requests to agree to
            "receipts": receipts_of(filing),
            "may_correct": may_correct,
            "requests_to_decide": [a for a in incoming if a.pending_requests],
            "new_key": uuid.uuid4,  # a fresh one-time key for each form of a row
            "may_submit": actions.submit,
            "may_approve": actions.approve,
            "may_return": actions.send_back,
            "return_form": ReturnForm(),
            "may_allocate": actions.allocate,
        },
        status=status,
    )


def filing_edit(request, pk: int):
    """The filing's page: its fields (a form while the operator may change them), received
    funds by source level with arrival dates, and the status actions the user may take."""
    filing = own_filing(request, pk)
    if request.method != "POST":
        return _edit_page(request, filing, _edit_form(filing))
    require(request, Action.FILE)
    form = _edit_form(filing, request.POST, request.FILES)
    if form is None:
        return redirect("funds:filing_edit", pk=filing.pk)
    if form.is_valid():
        try:
            services.filing_update(
                filing=filing,
                version=form.cleaned_data["version"],
                actor=request.user,
                document=form.cleaned_data.get("document"),
                **form.changes(),
            )
        except services.StaleFiling as exc:
            # Nothing of the stale form is kept: the page is read again from the database.
            messages.error(request, exc.messages[0])
            return redirect("funds:filing_edit", pk=filing.pk)
        except UploadRejected as exc:
            form.add_error("document", str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The filing was saved."))
            return redirect("funds:filing_edit", pk=filing.pk)
    return _edit_page(request, filing, form)


@require_POST
def filing_action(request, pk: int, action: str):
    """submit (the unit's operator), approve and return (the school's reviewer)."""
    filing = own_filing(request, pk)
    require(request, Action.FILE if action == "submit" else Action.REVIEW)
    try:
        if action == "submit":
            services.filing_submit(filing=filing, actor=request.user)
            messages.success(request, _("The filing was submitted."))
        elif action == "approve":
            services.filing_approve(filing=filing, actor=request.user)
            messages.success(request, _("The filing was approved."))
        else:
            form = ReturnForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the filing is returned."))
                return redirect("funds:filing_edit", pk=filing.pk)
            services.filing_return(
                filing=filing, comment=form.cleaned_data["comment"], actor=request.user
            )
            messages.success(request, _("The filing was returned to the operator."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("funds:filing_edit", pk=filing.pk)


def filing_document(request, pk: int):
    """An authority filing's PDF body, for users in scope, always as a download."""
    queryset = Filing.objects.exclude(document="")
    filing = get_object_for_user(request, queryset, Action.VIEW, pk=pk)
    response = stored_download(
        filing.document,
        name=filing.document_name or "document.pdf",
        content_type="application/pdf",
        fallback="document",
    )
    audit_record(
        request=request, action="funds.document", obj=filing, detail={"name": filing.document_name}
    )
    return response
