from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zizhu.access import Action, get_object_for_user, require, require_that
from zizhu.audit.services import audit_record
from zizhu.jobs.selectors import jobs_for
from zizhu.lib import idnumber, phone
from zizhu.lib.exports import AMOUNT, CODE, INTEGER, TEXT, Column, Table, export_response, label
from zizhu.lib.params import year_param
from zizhu.lib.tabular import TableError
from zizhu.recipients import policy, services
from zizhu.recipients.forms import ReturnForm, RowForm, UploadForm
from zizhu.recipients.models import RecipientList, RecipientRow, Sex, Status, Term
from zizhu.recipients.policy import sees_full_identity
from zizhu.recipients.selectors import lists_for
from zizhu.recipients.validation import COLUMNS

LIST_DONE = {
    "submit": gettext_lazy("The list was submitted for review."),
    "approve": gettext_lazy("The list was approved."),
    "return": gettext_lazy("The list was returned to the school operator."),
    "new_version": gettext_lazy("A new version of the list was started."),
}


def _list_for(request, pk: int, action: Action) -> RecipientList:
    queryset = RecipientList.objects.select_related("school", "project")
    return get_object_for_user(request, queryset, action, "school", pk=pk)


def _require_school(request) -> None:
    require_that(request, policy.may_maintain(request.user), "not_a_school_user")


def recipient_lists(request):
    require(request, Action.VIEW)
    lists = lists_for(request.user)
    filters = {k: request.GET.get(k, "") for k in ("year", "term", "project", "status", "school")}
    year = year_param(filters["year"])
    if year is not None:
        lists = lists.filter(year=year)
    if filters["term"] in Term.values:
        lists = lists.filter(term=filters["term"])
    if filters["status"] in Status.values:
        lists = lists.filter(status=filters["status"])
    if filters["project"]:
        lists = lists.filter(project__code=filters["project"])
    if filters["school"]:
        lists = lists.filter(school__code__startswith=filters["school"])
    page = Paginator(lists, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "recipients/list.html",
        {
            "page": page,
            "filters": filters,
            "terms": Term.choices,
            "statuses": Status.choices,
            "query": query.urlencode(),
            "can_upload": policy.may_upload(request.user),
        },
    )


def _display_rows(rows, full: bool):
    for row in rows:
        yield {
            "obj": row,
            "id_number": row.id_number if full else idnumber.mask(row.id_number),
            "phone": row.phone if full else (phone.mask(row.phone) if row.phone else ""),
            "bank_account": row.bank_account if full else ("****" if row.bank_account else ""),
        }


def recipient_list_detail(request, pk: int):
    target = _list_for(request, pk, Action.VIEW)
    full = sees_full_identity(request.user, target)
    if full:
        audit_record(
            request=request,
            action="recipients.view_full",
            obj=target,
            detail={"page": request.GET.get("page", "1")},
        )
    page = Paginator(target.rows.all(), 100).get_page(request.GET.get("page"))
    versions = RecipientList.objects.filter(
        school=target.school,
        project=target.project,
        year=target.year,
        term=target.term,
        batch=target.batch,
    ).order_by("-version")
    return render(
        request,
        "recipients/detail.html",
        {
            "list": target,
            "page": page,
            "rows": list(_display_rows(page, full)),
            "versions": versions,
            "full": full,
            "return_form": ReturnForm(),
            "may_edit": policy.may_edit(request.user, target),
            "may_submit": policy.may_edit(request.user, target),
            "may_review": policy.may_review(request.user, target),
            "may_new_version": policy.may_start_new_version(request.user, target),
        },
    )


def recipient_list_upload(request):
    require(request, Action.FILE)
    _require_school(request)
    school = request.user.unit
    form = UploadForm(request.POST or None, request.FILES or None, school=school)
    if request.method == "POST" and form.is_valid():
        job = services.recipient_list_upload(
            school=school,
            project=form.cleaned_data["project"],
            year=form.cleaned_data["year"],
            term=form.cleaned_data["term"],
            batch=form.cleaned_data["batch"],
            upload=form.cleaned_data["file"],
            actor=request.user,
            request=request,
        )
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "recipients/upload.html", {"form": form})


def recipient_list_export(request, pk: int):
    """The list as XLSX: full values for the school's own users (audited), masked otherwise."""
    require(request, Action.EXPORT)
    target = _list_for(request, pk, Action.VIEW)
    full = sees_full_identity(request.user, target)
    table = Table(
        [
            Column("身份证件号", CODE),
            Column("姓名"),
            Column("性别"),
            Column("年级"),
            Column("专业"),
            Column("联系电话", CODE),
            Column("资助金额", AMOUNT),
            Column("银行卡号", CODE),
        ],
        (
            [
                r["id_number"],
                r["obj"].name,
                label(Sex, r["obj"].sex),
                r["obj"].grade,
                r["obj"].major,
                r["phone"],
                r["obj"].amount,
                r["bank_account"],
            ]
            for r in _display_rows(target.rows.all().iterator(chunk_size=5000), full)
        ),
        sheet="资助名单",
    )
    name = (
        f"资助名单-{target.school.name}-{target.project.name}-"
        f"{target.year}{Term(target.term).label}-第{target.batch}批"
    )
    response = export_response(table, name)
    audit_record(
        request=request,
        action="recipients.export",
        obj=target,
        detail={"unmasked": full, "rows": target.row_count},
    )
    return response


def recipient_template(request):
    require(request, Action.VIEW)
    kinds = {"id_number": CODE, "phone": CODE, "bank_account": CODE, "amount": AMOUNT}
    columns = [Column(c.alias, kinds.get(c.name, TEXT)) for c in COLUMNS]
    return export_response(Table(columns, [], sheet="资助名单"), "资助名单模板")


def recipient_import_report(request, job_id: int, part: str = "problems"):
    """An import job's problems (the file was refused) or warnings (it was stored), as CSV."""
    job = jobs_for(request.user).filter(pk=job_id, kind="recipients_import").first()
    if job is None:
        raise Http404
    if part == "warnings":
        heading, sheet, title = _("Warning"), _("Warnings"), _("Import warnings")
    else:
        heading, sheet, title = _("Problem"), _("Problems"), _("Import errors")
    table = Table(
        [Column(_("Row"), INTEGER), Column(_("Column")), Column(heading)],
        job.result.get(part, []),
        sheet=sheet,
    )
    return export_response(table, f"{title}-{job.pk}", "csv")


@require_POST
def recipient_list_action(request, pk: int, action: str):
    needed = Action.REVIEW if action in ("approve", "return") else Action.FILE
    target = _list_for(request, pk, needed)
    _require_school(request)
    try:
        if action == "submit":
            services.recipient_list_submit(
                recipient_list=target, actor=request.user, request=request
            )
        elif action == "approve":
            services.recipient_list_approve(
                recipient_list=target, actor=request.user, request=request
            )
        elif action == "return":
            services.recipient_list_return(
                recipient_list=target,
                actor=request.user,
                comment=request.POST.get("comment", ""),
                request=request,
            )
        elif action == "new_version":
            target = services.recipient_list_new_version(
                recipient_list=target, actor=request.user, request=request
            )
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, str(LIST_DONE[action]))
    return redirect("recipients:detail", pk=target.pk)


def recipient_row_edit(request, pk: int, row_pk: int | None = None):
    target = _list_for(request, pk, Action.FILE)
    _require_school(request)
    row = target.rows.filter(pk=row_pk).first() if row_pk else None
    if row_pk and row is None:
        raise Http404
    initial = {f: getattr(row, f) for f in RowForm.base_fields} if row else None
    if row is not None and request.method == "GET":
        # the form shows the row's ID, phone and card number in full
        audit_record(
            request=request,
            action="recipients.view_full",
            obj=target,
            detail={"row": row.row_number, "form": True},
        )
    form = RowForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.recipient_row_save(
                recipient_list=target,
                raw=form.cleaned_data,
                actor=request.user,
                row=row,
                request=request,
            )
        except TableError as exc:
            for problem in exc.problems:
                form.add_error(
                    problem.column if problem.column in form.fields else None, problem.message
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("recipients:detail", pk=target.pk)
    return render(request, "recipients/row_form.html", {"list": target, "form": form, "row": row})


@require_POST
def recipient_row_delete(request, pk: int, row_pk: int):
    target = _list_for(request, pk, Action.FILE)
    _require_school(request)
    row = RecipientRow.objects.filter(recipient_list=target, pk=row_pk).first()
    if row is None:
        raise Http404
    try:
        services.recipient_row_delete(row=row, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("recipients:detail", pk=target.pk)
