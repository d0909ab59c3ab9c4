"""支付凭证查看: the vouchers of every school below the authority's chosen unit, with the
totals per child unit and per school, and the XLSX export. A report over the tree, so it
lives here: the totals per child unit come from the per-authority payment totals that the
triggers keep (rollups.py), not from every voucher below."""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from zizhu.access import (
    Action,
    get_unit_for_user,
    require,
    require_that,
    scoped_by_path,
    units_for,
)
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports.models import SchoolPaymentTotal
from zizhu.fundreports.tree import below_per_child
from zizhu.lib.exports import Table, export_response
from zizhu.units.models import Level, Unit
from zizhu.units.selectors import trail
from zizhu.vouchers import policy, tables
from zizhu.vouchers.forms import SCHOOL_CHOICES, FilterForm
from zizhu.vouchers.models import Voucher
from zizhu.vouchers.selectors import (
    EXPORT_COLUMNS,
    InOrder,
    Overview,
    export_rows,
    filtered,
    overview,
    summed,
    voucher_totals,
    vouchers_for,
    with_details,
)

PAGE_SIZE = 50
# the per-school table of a large scope stops here; the children table and the export have all
SCHOOL_ROWS = 300


def voucher_overview(user, unit: Unit, vouchers: QuerySet[Voucher], filters: dict) -> Overview:
    """`vouchers.selectors.overview` of `vouchers` (the user's vouchers below `unit`, with
    `filters` applied), read from the per-authority payment totals where it can be: the
    schools under each authority below `unit` come summed per authority, and only the
    schools directly under `unit` are read voucher by voucher. The centre's page summed
    every voucher of every year (~230,000 a year at national scale) on each request.

    A school filter (a code prefix) cuts across the totals, and a school as the unit has no
    authorities below it: both read the vouchers."""
    if filters["school"] or unit.is_school:
        return overview(unit, vouchers)
    totals = scoped_by_path(SchoolPaymentTotal.objects.all(), user, Action.VIEW, "authority_path")
    if filters["year"] is not None:
        totals = totals.filter(year=filters["year"])
    if filters["project"] is not None:
        totals = totals.filter(project=filters["project"])
    below = (
        below_per_child(totals.filter(vouchers__gt=0), unit, "authority_path")
        .values("child", "year")
        .annotate(
            count=Sum("vouchers"),
            students=Sum("voucher_students"),
            amount=Sum("voucher_amount"),
        )
        .values_list("child", "year", "count", "students", "amount")
    )
    direct = (
        vouchers.filter(unit__parent=unit)
        .order_by()
        .values("unit__code", "year")
        .annotate(count=Count("id"), students=Coalesce(Sum("students"), 0), amount=Sum("amount"))
        .values_list("unit__code", "year", "count", "students", "amount")
    )
    children = list(unit.children.order_by("level", "code"))
    return summed(children, below.union(direct, all=True))  # one query


def _report(request):
    """The chosen unit (in scope), the filter form, its filters and the filtered vouchers of
    the schools below the unit."""
    require(request, Action.VIEW)
    require_that(request, policy.sees_vouchers_below(request.user), "not_an_authority_user")
    unit = get_unit_for_user(request, request.GET.get("unit") or request.user.unit.code)
    projects = AidProject.objects.filter(category=Category.NATIONAL)
    # the choices are offered only up to SCHOOL_CHOICES schools: any SCHOOL_CHOICES + 1 tell
    # that there are more, sorted here (sorting every school of a province by code first, to
    # keep the first of them, read each one's row: ~17 ms at national scale)
    schools = sorted(
        units_for(request.user, Action.VIEW)
        .filter(path__startswith=unit.path, level=Level.SCHOOL)
        .order_by()
        .values_list("code", "name")[: SCHOOL_CHOICES + 1]
    )
    form = FilterForm(request.GET, projects=projects, with_school=True, schools=schools)
    filters = form.filters()
    below = vouchers_for(request.user).filter(unit__path__startswith=unit.path)
    return unit, form, filters, filtered(below, **filters)


def authority_vouchers(request):
    unit, form, filters, vouchers = _report(request)
    query = request.GET.copy()
    query.pop("page", None)
    listed_query = query.urlencode()
    query.pop("unit", None)
    figures = voucher_overview(request.user, unit, vouchers, filters)
    listed = InOrder(vouchers, figures.years, with_details, whole_tree=unit.parent_id is None)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    per_school = list(voucher_totals(vouchers)[: SCHOOL_ROWS + 1])
    unit_query = query.urlencode()
    return render(
        request,
        "fundreports/vouchers.html",
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
            "query": listed_query,
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


urlpatterns = [
    path("vouchers/", authority_vouchers, name="vouchers"),
    path("vouchers/export.xlsx", authority_export, name="vouchers_export"),
]
