"""填报截止时间: an authority operator sets the deadline of its direct children for a year and
project, sees their filings against it, and unlocks one after the deadline (ADR 0006)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, deny, get_object_for_user, require, require_that, scoped
from zizhu.catalogue.models import told_apart
from zizhu.funds import policy, services
from zizhu.funds.forms import DeadlineForm, UnlockForm
from zizhu.funds.models import Deadline, Filing
from zizhu.funds.selectors import children_filings, deadline_of, is_frozen


def _require_authority_operator(request) -> None:
    require(request, Action.FILE)
    require_that(request, policy.may_set_deadlines(request.user), "not_an_authority_operator")


def deadline_list(request):
    _require_authority_operator(request)
    form = DeadlineForm(request.POST or None, unit=request.user.unit)
    if request.method == "POST" and form.is_valid():
        try:
            deadline = services.deadline_set(
                unit=request.user.unit,
                year=form.cleaned_data["year"],
                project=form.cleaned_data["project"],
                due_at=form.cleaned_data["due_at"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The deadline was saved."))
            return redirect("funds:deadline_detail", pk=deadline.pk)
    rows = (
        scoped(Deadline.objects.all(), request.user, Action.VIEW)
        .filter(unit=request.user.unit)
        .select_related("project", "set_by")
        .order_by("-year", "project__code")
    )
    # a name several stages' projects share (校内困难补助) is told apart by the stage
    projects = told_apart(d.project for d in rows)
    deadlines = [(d, projects[d.project_id]) for d in rows]
    return render(
        request,
        "funds/deadlines.html",
        {"form": form, "deadlines": deadlines, "now": timezone.now()},
    )


def deadline_detail(request, pk: int):
    """The children's filings a deadline applies to: status, when submitted, late or not, and
    an unlock form once the deadline has passed."""
    _require_authority_operator(request)
    deadline = get_object_for_user(
        request, Deadline.objects.select_related("project", "unit"), Action.VIEW, pk=pk
    )
    if deadline.unit_id != request.user.unit_id:
        raise Http404
    now = timezone.now()
    rows = [
        {
            "filing": filing,
            "late": filing.submitted_at is not None and filing.submitted_at > deadline.due_at,
            "frozen": is_frozen(filing, deadline, now),
        }
        for filing in children_filings(request.user, deadline)
    ]
    return render(
        request,
        "funds/deadline_detail.html",
        {
            "deadline": deadline,
            "rows": rows,
            "passed": deadline.due_at <= now,
            "unlock_form": UnlockForm(),
        },
    )


@require_POST
def filing_unlock(request, pk: int):
    """Reopen a child's filing until a given time, saying why (audited)."""
    _require_authority_operator(request)
    queryset = Filing.objects.select_related("unit__parent", "project")
    filing = get_object_for_user(request, queryset, Action.VIEW, pk=pk)
    if filing.unit.parent_id != request.user.unit_id:
        deny(request, "not_the_deadline_setter")
    form = UnlockForm(request.POST)
    if form.is_valid():
        try:
            services.filing_unlock(
                filing=filing,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The filing was unlocked."))
    else:
        messages.error(request, _("Enter until when and why the filing is unlocked."))
    deadline = deadline_of(filing)
    if deadline is None:
        return redirect("funds:deadlines")
    return redirect("funds:deadline_detail", pk=deadline.pk)
