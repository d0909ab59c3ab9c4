"""支付凭证上传 (schools: upload, edit, delete), 支付凭证查看 (authorities) and the file
download."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.access import (
    Action,
    get_object_for_user,
    get_unit_for_user,
    require,
    require_that,
    units_for,
)
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.lib.downloads import stored_download
from zizhu.lib.exports import Table, export_response
from zizhu.units.models import Level
from zizhu.units.selectors import trail
from zizhu.vouchers import policy, services, tables
from zizhu.vouchers.forms import SCHOOL_CHOICES, FilterForm, VoucherEditForm, VoucherForm
from zizhu.vouchers.models import Voucher, VoucherFile
from zizhu.vouchers.selectors import (
    EXPORT_COLUMNS,
    InOrder,
    export_rows,
    filtered,
    grand_total,
    overview,
    voucher_totals,
    vouchers_for,
)

PAGE_SIZE = 50
# the per-school table of a large scope stops here; the children table and the export have all
SCHOOL_ROWS = 300


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _rows(vouchers):
    return vouchers.select_related("unit", "project", "created_by").prefetch_related("files")


def _page(request, vouchers):
    return Paginator(_rows(vouchers).order_by("-year", "unit__code", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )


# --- 支付凭证上传: the school's own vouchers -----------------------------------------------------


def school_vouchers(request):
    require(request, Action.VIEW)
    require_that(request, policy.sees_own_vouchers(request.user), "not_a_school_user")
    school = request.user.unit
    form = FilterForm(request.GET, projects=services.voucher_projects(school))
    vouchers = filtered(vouchers_for(request.user), **form.filters())
    return render(
        request,
        "vouchers/school_list.html",
        {
            "school": school,
            "form": form,
            "total": grand_total(vouchers),
            "page": _page(request, vouchers),
            "query": _query(request),
            "may_record": policy.may_record(request.user, school),
        },
    )


def voucher_upload(request):
    require(request, Action.VIEW)
    school = request.user.unit
    require_that(request, policy.may_record(request.user, school), "not_the_school")
    projects = services.voucher_projects(school)
    form = VoucherForm(request.POST or None, request.FILES or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            voucher = services.voucher_create(
                school=school,
                key=data["form_key"],
                year=data["year"],
                project=data["project"],
                students=data["students"],
                amount=data["amount"],
                note=data["note"],
                files=data["files"],
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The voucher was saved."))
            # a resent form lands here too, on the one voucher (docs/adr/0009)
            return redirect(reverse("vouchers:list") + f"#voucher-{voucher.pk}")
    return render(request, "vouchers/upload.html", {"form": form, "school": school})


def _own_voucher(request, pk: int) -> Voucher:
    """The voucher, if it is in scope (404 otherwise) and the user is its school's operator
    (403 otherwise)."""
    queryset = Voucher.objects.select_related("unit", "project")
    voucher = get_object_for_user(request, queryset, Action.VIEW, pk=pk)
    require_that(request, policy.may_record(request.user, voucher.unit), "not_the_school")
    return voucher


def voucher_edit(request, pk: int):
    voucher = _own_voucher(request, pk)
    form = VoucherEditForm(request.POST or None, request.FILES or None, voucher=voucher)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.voucher_update(
                voucher=voucher,
                version=data["version"],
                students=data["students"],
                amount=data["amount"],
                note=data["note"],
                add_files=data["files"],
                remove_files=[record.pk for record in data["remove"]],
                actor=request.user,
                request=request,
            )
        except services.StaleVoucher as exc:
            # Nothing of the stale form is kept: the page is read again from the database.
            messages.error(request, exc.messages[0])
            return redirect("vouchers:edit", pk=voucher.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The voucher was saved."))
            return redirect("vouchers:list")
    return render(request, "vouchers/edit.html", {"form": form, "voucher": voucher})


@require_POST
def voucher_delete(request, pk: int):
    voucher = _own_voucher(request, pk)
    try:
        services.voucher_delete(voucher=voucher, actor=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The voucher was deleted."))
    return redirect("vouchers:list")


# --- 支付凭证查看: every school in the authority's scope ---------------------------------------


def _report(request):
    """The chosen unit (in scope) and the filtered vouchers of the schools below it."""
    require(request, Action.VIEW)
    require_that(request, policy.sees_vouchers_below(request.user), "not_an_authority_user")
    unit = get_unit_for_user(request, request.GET.get("unit") or request.user.unit.code)
    projects = AidProject.objects.filter(category=Category.NATIONAL)
    schools = list(
        units_for(request.user, Action.VIEW)
        .filter(path__startswith=unit.path, level=Level.SCHOOL)
        .order_by("code")
        .values_list("code", "name")[: SCHOOL_CHOICES + 1]
    )
    form = FilterForm(request.GET, projects=projects, with_school=True, schools=schools)
    filters = form.filters()
    below = vouchers_for(request.user).filter(unit__path__startswith=unit.path)
    return unit, form, filters, filtered(below, **filters)


def authority_vouchers(request):
    unit, form, filters, vouchers = _report(request)
    schools = units_for(request.user, Action.VIEW).filter(
        path__startswith=unit.path, level=Level.SCHOOL
    )
    if filters["school"]:
        schools = schools.filter(code__startswith=filters["school"])
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("unit", None)
    figures = overview(unit, vouchers)
    listed = InOrder(vouchers, figures.years, _rows, whole_tree=unit.parent_id is None)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    per_school = list(
        voucher_totals(schools, filters["year"], filters["project"])[: SCHOOL_ROWS + 1]
    )
    unit_query = query.urlencode()
    return render(
        request,
        "vouchers/authority_list.html",
        {
            "unit": unit,
            "trail": trail(request.user.unit, unit),
            "form": form,
            "children": figures.children,
            "children_html": tables.children_html(figures.children, unit_query),
            "schools": per_school,
            "schools_html": tables.schools_html(per_school, SCHOOL_ROWS, unit_query),
            "total": figures.total,
            "page": page,
            "vouchers_html": tables.vouchers_html(page),
            "query": _query(request),
            "unit_query": unit_query,
        },
    )


def authority_export(request):
    require(request, Action.EXPORT)
    unit, _form, filters, vouchers = _report(request)
    table = Table(EXPORT_COLUMNS, export_rows(vouchers), sheet=_("Payment vouchers"))
    project = filters["project"]
    title, year = _("Payment vouchers"), filters["year"] or _("All years")
    name = f"{title}-{unit.name}-{year}"
    response = export_response(table, name)
    audit_record(
        request=request,
        action="vouchers.export",
        detail={
            "unit": unit.code,
            "year": filters["year"],
            "project": project.code if project else None,
            "school": filters["school"],
            "rows": table.written,
        },
    )
    return response


# --- download -------------------------------------------------------------------------------


def voucher_file(request, pk: int):
    """A voucher's file, in scope only, always as a download that no browser renders."""
    queryset = VoucherFile.objects.select_related("voucher")
    record = get_object_for_user(request, queryset, Action.VIEW, "voucher__unit", pk=pk)
    response = stored_download(
        record.file, name=record.name, content_type=record.content_type, fallback="voucher"
    )
    audit_record(
        request=request,
        action="vouchers.download",
        obj=record,
        detail={"voucher": record.voucher_id, "name": record.name, "sha256": record.sha256},
    )
    return response
