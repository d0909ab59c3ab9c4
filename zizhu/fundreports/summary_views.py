"""资金收支汇总: the summary of one category at a unit of the user's scope (`?unit=` drills
down, a unit outside the scope is a 404), every table exportable as XLSX (audited).
Authority and school roles; admin roles 403."""

from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import path
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, get_unit_for_user, require
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import Category
from zizhu.fundreports import summary_lower
from zizhu.fundreports.details import category_projects, years_in_scope
from zizhu.fundreports.summary import Scope, default_year
from zizhu.fundreports.summary_report import build, table_keys
from zizhu.fundreports.tree import category_or_404, escape_cell, trail
from zizhu.lib.exports import (
    AMOUNT,
    DATE,
    DATETIME,
    INTEGER,
    PERCENT,
    TEXT,
    Column,
    Table,
    export_response,
)
from zizhu.lib.formats import cell_formatter, is_percent_header


class SummaryForm(forms.Form):
    """Year and project; an invalid value falls back to the default rather than an error."""

    year = forms.IntegerField(
        label=_("Year of use"), required=False, min_value=2000, max_value=2100
    )
    project = forms.TypedChoiceField(label=_("Aid project"), required=False, coerce=int)

    def __init__(self, data, *, year: int | None, projects):
        data = data.copy()
        if not data.get("year"):
            data["year"] = year
        super().__init__(data)
        self.fields["project"].choices = [("", _("All"))] + [(p.pk, p.name) for p in projects]


def summary_request(request, category: str) -> tuple[Scope, SummaryForm]:
    """The summary a request asks for, as the page shows it, and the form of its choices:
    business roles only (403 otherwise), the category (404 for an unknown one), the unit of
    `?unit=` (default: the user's own; 404 outside the scope), the year (default: the latest
    with filings) and the project (default: all). The page, its export and the API read this
    one answer."""
    require(request, Action.VIEW)
    category = category_or_404(category)
    user = request.user
    node = get_unit_for_user(request, request.GET.get("unit") or user.unit.code, Action.VIEW)
    # the years in scope give only the default year: read when the request names none
    fallback = None if request.GET.get("year") else default_year(years_in_scope(user, category))
    projects = category_projects(category, user.unit)
    form = SummaryForm(request.GET, year=fallback, projects=projects)
    form.is_valid()
    year = form.cleaned_data.get("year")
    if year is None:  # none named, or one the form refuses
        year = fallback or default_year(years_in_scope(user, category))
    chosen = form.cleaned_data.get("project")
    project = next((p for p in projects if p.pk == chosen), None)
    return Scope(user, node, category, year, project), form


# a row of a table's body as the template wrote it (the loop's white space kept)
_ROW = "\n      <tr{}>\n        <td>{}</td>\n        {}\n      </tr>\n    "


def rows_html(table, page_url: str, query: str) -> SafeString:
    """The table's body rows, escaped, as the template wrote them: built here because a
    county's ~290 rows and a province's thousands of cells cost more through the template,
    one loop step and lookup per cell, than the page's queries. Each row keeps its shown
    cells (`shown`)."""
    percents = [is_percent_header(h) for h in table.header]
    drill = escape(f"{page_url}?{query}&unit=" if query else f"{page_url}?unit=")
    context = Context()  # `{{ cell }}` of the template: localised, then escaped
    cell = cell_formatter()
    rows = []
    for row in table.rows:
        row.shown = shown = [cell(v, p) for v, p in zip(row.cells, percents, strict=False)]
        first = render_value_in_context(shown[0], context) if shown else ""
        if row.unit:
            first = f'<a href="{drill}{conditional_escape(row.unit.code)}">{first}</a>'
        elif row.url:
            first = f'<a href="{conditional_escape(row.url)}">{first}</a>'
        elif row.total:
            first = f"<strong>{first}</strong>"
        figures = "".join([f'<td class="num">{escape_cell(v)}</td>' for v in shown[1:]])
        rows.append(_ROW.format(' class="total"' if row.total else "", first, figures))
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def _query(scope: Scope, **extra) -> str:
    values = {"year": scope.year, "project": scope.project.pk if scope.project else ""}
    return urlencode({k: v for k, v in {**values, **extra}.items() if v})


def summary(request, category: str):
    scope, form = summary_request(request, category)
    tables, pending_filings = [], []
    for key in table_keys(scope):
        if key == "pending":
            table, pending_filings = summary_lower.pending(scope)
        else:
            table = build(scope, key)
        tables.append(table)
    query = _query(scope)
    for table in tables:
        table.body = rows_html(table, request.path, query)
    chart = next((t.chart for t in tables if t.chart), {})
    may_confirm = summary_lower.may_confirm(scope)
    return render(
        request,
        "fundreports/summary.html",
        {
            "category": scope.category,
            "category_label": Category(scope.category).label,
            "scope": scope,
            "node": scope.node,
            "form": form,
            "trail": trail(request.user, scope.node),
            "tables": tables,
            "chart": chart,
            "confirm_forms": pending_filings if may_confirm else [],
            "query": query,
            "unit_query": _query(scope, unit=scope.node.code),
            "page_url": request.path,
            "today": timezone.localdate().isoformat(),
        },
    )


def _kind(header: str, values: list) -> str:
    """A summary column's type from its header (formats.Percent) and values (money is
    Decimal, counts int)."""
    present = [v for v in values if v not in (None, "")]
    if is_percent_header(header):
        return PERCENT
    if present and all(isinstance(v, datetime) for v in present):
        return DATETIME
    if present and all(isinstance(v, date) for v in present):
        return DATE
    if present and all(isinstance(v, Decimal) for v in present):
        return AMOUNT
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return INTEGER
    return TEXT


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, Decimal | int | date):
        return value
    return str(value)


def summary_export(request, category: str, table: str):
    require(request, Action.EXPORT)
    scope, _form = summary_request(request, category)
    if table not in table_keys(scope):
        raise Http404
    built = build(scope, table)
    columns = [
        Column(str(h), _kind(h, [r.cells[i] for r in built.rows]))
        for i, h in enumerate(built.header)
    ]
    columns = [
        Column(c.header, TEXT) if i == 0 and c.kind == INTEGER else c for i, c in enumerate(columns)
    ]
    export = Table(
        columns,
        ([_cell(c) for c in row.cells] for row in built.rows),
        sheet=str(built.title),
    )
    response = export_response(
        export,
        f"{built.title}-{Category(scope.category).label}-{scope.node.name}-{scope.year}",
    )
    audit_record(
        request=request,
        action="fundreports.summary_export",
        detail={
            "category": scope.category,
            "table": table,
            "unit": scope.node.code,
            "year": scope.year,
            "project": scope.project.code if scope.project else "",
            "rows": len(built.rows),
        },
    )
    return response


urlpatterns = []
for _category in Category.values:
    urlpatterns += [
        path(
            f"summary/{_category}/",
            summary,
            {"category": _category},
            name=f"summary_{_category}",
        ),
        path(
            f"summary/{_category}/<slug:table>.xlsx",
            summary_export,
            {"category": _category},
            name=f"summary_{_category}_export",
        ),
    ]
