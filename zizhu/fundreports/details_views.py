"""资金填报详情: the filings of one category in the user's scope, and one filing's full record.
Authority roles only; a filing outside the scope (or of another category) is a 404."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, get_object_for_user
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import Category
from zizhu.fundreports import details
from zizhu.fundreports.tree import category_or_404, require_authority
from zizhu.funds.models import Filing, FilingStatus
from zizhu.lib.exports import (
    AMOUNT,
    CODE,
    DATE,
    DATETIME,
    YEAR,
    Column,
    Table,
    export_response,
    label,
)
from zizhu.units.models import AUTHORITY_LEVELS, Level

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


class FilterForm(forms.Form):
    """The filters of the list; an invalid value is ignored rather than an error."""

    year = forms.TypedChoiceField(label=_("Year of use"), required=False, coerce=int)
    project = forms.TypedChoiceField(label=_("Aid project"), required=False, coerce=int)
    level = forms.ChoiceField(label=_("Level"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *FilingStatus.choices]
    )

    def __init__(self, data, *, years: list[int], projects, category: str):
        super().__init__(data)
        self.fields["year"].choices = [("", _("All"))] + [(y, y) for y in years]
        self.fields["project"].choices = [("", _("All"))] + [(p.pk, p.name) for p in projects]
        school_only = category in (Category.SCHOOL, Category.SOCIAL)
        levels = [Level.SCHOOL] if school_only else [*AUTHORITY_LEVELS, Level.SCHOOL]
        self.fields["level"].choices = [("", _("All"))] + [(lv.value, lv.label) for lv in levels]

    def filters(self) -> details.Filters:
        self.is_valid()
        clean = {name: self.cleaned_data.get(name) for name in self.fields}
        return details.Filters(
            year=clean["year"] or None,
            project=clean["project"] or None,
            level=clean["level"] or "",
            status=clean["status"] or "",
        )


def filing_list(request, category: str):
    require_authority(request)
    category = category_or_404(category)
    in_scope = details.filings_for(request.user, category)
    projects = details.category_projects(category, request.user.unit)
    form = FilterForm(
        request.GET,
        years=details.years_in_scope(request.user, category),
        projects=projects,
        category=category,
    )
    filters = form.filters()
    rows = details.with_figures(filters.apply(in_scope)).order_by(
        "-year", "project__code", "unit__path"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fundreports/details.html",
        {
            "category": category,
            "form": form,
            "filters": filters,
            "page": page,
            "query": filters.query(),
            "detail_url": f"fundreports:details_{category}_filing",
            "export_url": f"fundreports:details_{category}_export",
        },
    )


def filing_export(request, category: str):
    """The filtered list as XLSX, every row (up to EXPORT_LIMIT), audited."""
    require_authority(request, Action.EXPORT)
    category = category_or_404(category)
    in_scope = details.filings_for(request.user, category)
    form = FilterForm(
        request.GET,
        years=details.years_in_scope(request.user, category),
        projects=details.category_projects(category, request.user.unit),
        category=category,
    )
    filters = form.filters()
    rows = details.with_figures(filters.apply(in_scope)).order_by(
        "-year", "project__code", "unit__path"
    )
    table = Table(
        [
            Column(_("Unit code"), CODE),
            Column(_("Unit")),
            Column(_("Level")),
            Column(_("Aid project")),
            Column(_("Year of use"), YEAR),
            Column(_("Status")),
            Column(_("Document number")),
            Column(_("Document date"), DATE),
            Column(_("Document title")),
            Column(_("Submitted at"), DATETIME),
            Column(_("Own funds"), AMOUNT),
            Column(_("Received funds"), AMOUNT),
            Column(_("Allocated down"), AMOUNT),
        ],
        (
            [
                f.unit.code,
                f.unit.name,
                label(Level, f.unit.level),
                f.project.name,
                f.year,
                label(FilingStatus, f.status),
                f.doc_number,
                f.doc_date,
                f.doc_title,
                f.submitted_at,
                f.own_funds,
                f.received,
                f.allocated,
            ]
            for f in rows[:EXPORT_LIMIT].iterator(chunk_size=2000)
        ),
        sheet=_("Filing details"),
    )
    title = _("Filing details")
    response = export_response(table, f"{title}-{category.label}")
    audit_record(
        request=request,
        action="fundreports.details_export",
        detail={"category": str(category), "query": filters.query(), "rows": table.written},
    )
    return response


def filing_detail(request, category: str, pk: int):
    require_authority(request)
    category = category_or_404(category)
    queryset = Filing.objects.select_related("unit", "project").filter(project__category=category)
    filing = get_object_for_user(request, queryset, Action.VIEW, pk=pk)
    return render(
        request,
        "fundreports/details_filing.html",
        {
            "category": category,
            "record": details.filing_record(filing),
            "list_url": f"fundreports:details_{category}",
        },
    )


urlpatterns = []
for _category in Category.values:
    urlpatterns += [
        path(
            f"details/{_category}/",
            filing_list,
            {"category": _category},
            name=f"details_{_category}",
        ),
        path(
            f"details/{_category}/export.xlsx",
            filing_export,
            {"category": _category},
            name=f"details_{_category}_export",
        ),
        path(
            f"details/{_category}/<int:pk>/",
            filing_detail,
            {"category": _category},
            name=f"details_{_category}_filing",
        ),
    ]
