from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import Action, deny, get_object_for_user, get_unit_for_user, require
from zizhu.anomalies import policy, services
from zizhu.anomalies.forms import ExplanationForm, FilterForm, ReviewForm, RunForm
from zizhu.anomalies.models import Explanation, Finding, FindingStatus, Programme, Risk, Run
from zizhu.anomalies.rows import children_body, findings_body
from zizhu.anomalies.selectors import (
    DETAIL_URLS,
    PROGRAMME_URLS,
    counts_by_child,
    export_table,
    finding_months,
    finding_rows,
    report_findings,
    risk_counts,
    rules_by_number,
    run_list_groups,
    run_list_versions,
)
from zizhu.audit.services import audit_record
from zizhu.lib.downloads import stored_download
from zizhu.lib.exports import export_response
from zizhu.lib.uploads import UploadRejected
from zizhu.units.selectors import trail

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


def _report(request, programme: str):
    """The scoped, filtered findings of a programme below the chosen unit."""
    user = request.user
    require(request, Action.VIEW)
    form = FilterForm(request.GET, programme=programme, months=finding_months(user, programme))
    filters = form.filters()
    unit = get_unit_for_user(request, request.GET.get("unit") or user.unit.code, Action.VIEW)
    return form, filters, unit, report_findings(user, programme, filters)


def findings(request, programme: str):
    form, filters, unit, in_scope = _report(request, programme)
    below = in_scope.filter(school__path__startswith=unit.path)
    risks = risk_counts(request.user, programme, filters, unit)
    children = counts_by_child(unit, in_scope) if unit.is_authority else []
    rows = below.select_related("school", "row").order_by("rule", "school__code", "pid", "id")
    paginator = Paginator(rows, PAGE_SIZE)
    # the risk counts are of the same rows (each finding has its rule's risk, one of the
    # three): their sum is the paginator's count, without a second COUNT over the scope
    paginator.count = sum(risks.values())
    page = paginator.get_page(request.GET.get("page"))
    # none in scope (most schools, most months): no rows to read, nor their counterparts' names
    # (an empty page's query still cost its compiling)
    shown = finding_rows(request.user, list(page)) if paginator.count else []
    services.audit_full_view(request, shown)
    list_url = reverse(PROGRAMME_URLS[programme])
    chart = {
        "risks": [
            {"risk": value, "name": str(label), "value": risks[value]}
            for value, label in Risk.choices
        ],
        "risk_names": [str(label) for _value, label in Risk.choices],
        "children": [row.unit.name for row in children],
        "child_counts": [row.per_risk for row in children],
    }
    return render(
        request,
        "anomalies/findings.html",
        {
            "programme": programme,
            "programme_label": Programme(programme).label,
            "list_url": list_url,
            "form": form,
            "filters": filters,
            "unit": unit,
            "trail": trail(request.user.unit, unit),
            "risks": [(value, label, risks[value]) for value, label in Risk.choices],
            "total": sum(risks.values()),
            "children": children,
            "children_body": children_body(children, list_url, filters.query()),
            "page": page,
            "rows": shown,
            "findings_body": findings_body(shown, DETAIL_URLS[programme]),
            "query": filters.query(unit=unit.code),
            "unit_query": filters.query(),
            # the risk counts' links choose a risk of their own: the page's other filters only
            "risk_query": filters.query(risk=None, unit=unit.code),
            "chart": chart,
        },
    )


def export(request, programme: str):
    require(request, Action.EXPORT)
    _form, filters, unit, in_scope = _report(request, programme)
    below = in_scope.filter(school__path__startswith=unit.path)
    table = export_table(request.user, below, EXPORT_LIMIT)
    month = filters.month or _("All months")
    title = _("Findings")
    name = f"{title}-{Programme(programme).label}-{unit.name}-{month}"
    response = export_response(table, name)
    audit_record(
        request=request,
        action="anomalies.export",
        detail={
            "programme": programme,
            "unit": unit.code,
            "month": filters.month,
            "risk": filters.risk,
            "rule": filters.rule,
            "status": filters.status,
            "rows": table.written,
            "masked": True,
        },
    )
    return response


def _finding(request, pk: int, action: Action = Action.VIEW, **lookup) -> Finding:
    queryset = Finding.objects.select_related("school", "run", "row")
    return get_object_for_user(request, queryset, action, "school", pk=pk, **lookup)


def _detail(
    request, finding: Finding, *, explain_form=None, review_form=None, revealed=False, status=200
):
    user = request.user
    explanation = services.explanation_for(finding)
    may_explain = policy.can_explain(user, finding) and finding.status != FindingStatus.ACCEPTED
    may_review = policy.can_review(user, finding) and finding.status == FindingStatus.EXPLAINED
    (shown,) = finding_rows(user, [finding])
    services.audit_full_view(request, [shown])
    return render(
        request,
        "anomalies/finding_detail.html",
        {
            "finding": finding,
            "shown": shown,
            "revealed": finding.row.id_number if revealed and finding.row else "",
            "may_reveal": not shown.full
            and finding.row is not None
            and policy.may_reveal_student(user, finding),
            "rule": shown.rule,
            "programme_label": Programme(finding.programme).label,
            "list_url": reverse(PROGRAMME_URLS[finding.programme]),
            "explanation": explanation,
            "explain_form": (explain_form or ExplanationForm()) if may_explain else None,
            "review_form": (review_form or ReviewForm()) if may_review else None,
        },
        status=status,
    )


def finding_detail(request, programme: str, pk: int):
    return _detail(request, _finding(request, pk, programme=programme))


@require_POST
def reveal(request, pk: int):
    """The full ID number of a finding's student, for an authority operator (audited)."""
    finding = _finding(request, pk)
    if not policy.may_reveal_student(request.user, finding) or finding.row is None:
        deny(request, "may_not_reveal")
    audit_record(
        request=request,
        action="anomalies.reveal",
        obj=finding,
        detail={"month": finding.month, "rule": finding.rule, "school": finding.school.code},
    )
    return _detail(request, finding, revealed=True)


@require_POST
def explain(request, pk: int):
    require(request, Action.FILE)
    finding = _finding(request, pk)
    if not policy.can_explain(request.user, finding):
        deny(request, "not_the_school_operator")
    form = ExplanationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.explanation_submit(
                finding=finding,
                verdict=form.cleaned_data["verdict"],
                note=form.cleaned_data["note"],
                attachment=form.cleaned_data["attachment"],
                actor=request.user,
                request=request,
            )
        except UploadRejected as exc:
            form.add_error("attachment", str(exc))
        except services.ExplanationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The explanation was submitted."))
            return redirect(DETAIL_URLS[finding.programme], pk=finding.pk)
    return _detail(request, finding, explain_form=form)


@require_POST
def review(request, pk: int):
    require(request, Action.FILE)
    finding = _finding(request, pk)
    if not policy.can_review(request.user, finding):
        deny(request, "not_a_supervising_operator")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.explanation_review(
                finding=finding,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
                request=request,
            )
        except services.ExplanationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The review was saved."))
            return redirect(DETAIL_URLS[finding.programme], pk=finding.pk)
    return _detail(request, finding, review_form=form)


def attachment(request, pk: int):
    """An explanation's attachment, in scope only, always as a download."""
    explanation = get_object_for_user(
        request, Explanation.objects.exclude(attachment=""), Action.VIEW, "school", pk=pk
    )
    response = stored_download(
        explanation.attachment,
        name=explanation.attachment_name,
        content_type=explanation.attachment_type,
        fallback="attachment",
    )
    audit_record(
        request=request,
        action="anomalies.attachment",
        obj=explanation,
        detail={"name": explanation.attachment_name},
    )
    return response


# --- runs (system administrator) ------------------------------------------------------------


def runs(request):
    require(request, Action.MANAGE_REGISTERS)
    form = RunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_create(
                month=form.cleaned_data["month"],
                engine=form.cleaned_data["engine"],
                actor=request.user,
                request=request,
            )
        except (services.RunConflict, services.RunError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("anomalies:run", pk=run.pk)
    history = Run.objects.select_related("created_by", "job").annotate(list_count=Count("lists"))[
        :100
    ]
    return render(request, "anomalies/runs.html", {"form": form, "runs": history})


def run_detail(request, pk: int):
    require(request, Action.MANAGE_REGISTERS)
    run = get_object_or_404(Run.objects.select_related("created_by", "job"), pk=pk)
    partial = request.headers.get("HX-Request")
    template = "anomalies/_run_progress.html" if partial else "anomalies/run.html"
    rules = rules_by_number()
    counts = [
        (rules[int(number)], Risk(rules[int(number)].risk).label, n)
        for number, n in sorted(run.counts.items(), key=_num)
        if int(number) in rules
    ]
    versions = run_list_versions(run)
    return render(
        request,
        template,
        {
            "run": run,
            "counts": counts,
            "list_groups": run_list_groups(run),
            "versions": Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


def _num(item) -> int:
    return int(item[0])
