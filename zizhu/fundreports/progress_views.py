"""资金填报进展: for a year and project, who below the chosen unit should file and who has,
per child unit, drillable level by level down to the units that have not filed; XLSX export.
Authority roles only; `?unit=` and `?missing=` outside the scope are a 404."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, get_unit_for_user
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports import details, progress
from zizhu.fundreports.tree import category_or_404, escape_cell, require_authority, trail
from zizhu.funds.models import FilingStatus
from zizhu.lib.exports import CODE, INTEGER, PERCENT, Column, Table, export_response, label
from zizhu.lib.formats import percent
from zizhu.units.models import Level, Unit

MISSING_PAGE_SIZE = 100
EXPORT_LIMIT = 200_000
STATUS_LABELS = dict(FilingStatus.choices)


class ProgressForm(forms.Form):
    """Year and project; a missing or invalid value falls back to the default."""

    year = forms.TypedChoiceField(label=_("Year of use"), required=False, coerce=int)
    project = forms.TypedChoiceField(label=_("Aid project"), required=False, coerce=int)

    def __init__(self, data, *, years: list[int], projects: list[AidProject]):
        super().__init__(data)
        self.fields["year"].choices = [(y, y) for y in years]
        self.fields["project"].choices = [(p.pk, p.name) for p in projects]
        self.years, self.projects = years, projects

    def choice(self, filed_projects: Callable[[int], set[int]]) -> tuple[int, AidProject | None]:
        """The year asked for (default: the latest with filings) and the project asked for
        (default: the first of the category with filings that year, else the first)."""
        self.is_valid()
        year = self.cleaned_data.get("year") or self.years[0]
        by_pk = {p.pk: p for p in self.projects}
        chosen = by_pk.get(self.cleaned_data.get("project"))
        if chosen is None and self.projects:
            filed = filed_projects(year)
            chosen = next((p for p in self.projects if p.pk in filed), self.projects[0])
        return year, chosen


@dataclass
class Report:
    category: Category
    form: ProgressForm
    year: int
    project: AidProject | None
    node: Unit
    missing_in: Unit | None  # whose subtree's not-filed units are listed, if any
    rows: list[progress.ChildRow]
    children_only: bool = False  # list only the direct children of `missing_in`

    def not_filed(self, user):
        units = progress.not_filed(user, self.node, self.missing_in, self.year, self.project)
        return units.filter(parent=self.missing_in) if self.children_only else units

    def query(self, **changes) -> str:
        values = {"year": self.year, "project": self.project.pk if self.project else ""}
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def progress_request(request, category: str, action: Action = Action.VIEW) -> Report:
    """The progress report a request asks for, as the page shows it: authority roles only (403
    otherwise), the category (404 for an unknown one), the year and project chosen or their
    defaults, the unit of `?unit=` (default: the user's own; 404 outside the scope) and the
    unit whose not-filed units are listed (`?missing=`, within the unit). The page, its export
    and the API read this one answer."""
    require_authority(request, action)
    category = category_or_404(category)
    user = request.user
    years = details.years_in_scope(user, category) or [timezone.localdate().year]
    projects = details.category_projects(category, user.unit)
    year, project = ProgressForm(request.GET, years=years, projects=projects).choice(
        lambda year: details.projects_in_scope(user, category, year)
    )
    # shown with the defaults filled in
    chosen = {"year": year, "project": project.pk if project else ""}
    form = ProgressForm(chosen, years=years, projects=projects)
    node = get_unit_for_user(request, request.GET.get("unit") or user.unit.code, Action.VIEW)
    rows = progress.progress_by_child(user, node, year, project) if project else []
    missing_in = None
    if request.GET.get("missing"):
        missing_in = get_unit_for_user(request, request.GET["missing"], Action.VIEW)
        if not node.contains(missing_in):
            raise Http404
    elif rows and all(row.unit.is_school for row in rows):
        missing_in = node
    children_only = missing_in is not None and request.GET.get("children") == "1"
    return Report(category, form, year, project, node, missing_in, rows, children_only)


def child_rows_html(report: Report) -> SafeString:
    """The rows of the per-child table, escaped, as the template wrote them: built here
    because a county's ~290 schools cost more through the template (two `{% url %}` and a
    dozen lookups a row) than the page's queries."""
    context = Context()  # `{{ value }}` of the template: localised, then escaped
    address = escape(f"{reverse(f'fundreports:progress_{report.category}')}?{report.query()}")
    node = conditional_escape(report.node.code)
    # Counts repeat (0, 1, a school's 1 of 1...) and a level or a rate has few values: each
    # is written once per page, as the first row that needs it writes it.
    numbers: dict[int, str] = {}
    levels: dict[str, str] = {}
    rates: dict[object, str] = {}

    def number(n: int) -> str:
        if n not in numbers:
            numbers[n] = render_value_in_context(n, context)
        return numbers[n]

    rows = []
    for row in report.rows:
        unit, counts = row.unit, row.counts
        code = escape_cell(unit.code)
        name = escape_cell(unit.name)
        if unit.is_authority:
            name = f'<a href="{address}&amp;unit={code}">{name}</a>'
        if unit.level not in levels:
            levels[unit.level] = conditional_escape(unit.get_level_display())
        figures = "".join(
            f'<td class="num">{number(n)}</td>'
            for n in (counts.expected, counts.filed, counts.on_time, counts.late)
        )
        missing = "0"
        if counts.not_filed:
            shown = number(counts.not_filed)
            missing = f'<a href="{address}&amp;unit={node}&amp;missing={code}">{shown}</a>'
        share = counts.percent
        if share not in rates:
            rates[share] = conditional_escape(percent(share))
        rows.append(
            f"\n      <tr>\n        <td>{code}</td>\n        <td>{name}</td>\n"
            f"        <td>{levels[unit.level]}</td>\n"
            f"        {figures}\n"
            f'        <td class="num">{missing}</td>\n'
            f'        <td class="num">{rates[share]}</td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


def progress_page(request, category: str):
    report = progress_request(request, category)
    total = progress.totals(report.rows)
    missing_page = None
    if report.missing_in is not None and report.project is not None:
        missing = progress.NotFiledList(
            request.user,
            report.node,
            report.missing_in,
            report.year,
            report.project,
            children_only=report.children_only,
        )
        missing_page = Paginator(missing, MISSING_PAGE_SIZE).get_page(request.GET.get("page"))
        missing_page.object_list = list(missing_page.object_list)
        for unit in missing_page.object_list:
            unit.status_label = STATUS_LABELS.get(unit.filing_status, "")
    chart = {
        "children": [row.unit.name for row in report.rows],
        "on_time": [row.counts.on_time for row in report.rows],
        "late": [row.counts.late for row in report.rows],
        "not_filed": [row.counts.not_filed for row in report.rows],
        "names": [_t("On time"), _t("Late"), _t("Not filed")],
        "totals": [total.on_time, total.late, total.not_filed],
    }
    return render(
        request,
        "fundreports/progress.html",
        {
            "report": report,
            "category": report.category,
            "form": report.form,
            "node": report.node,
            "trail": trail(request.user, report.node),
            "rows": report.rows,
            "rows_html": child_rows_html(report) if report.rows else "",
            "total": total,
            "own": progress.own_filing(request.user, report.node, report.year, report.project)
            if report.project
            else None,
            "missing_page": missing_page,
            "base_query": report.query(),
            "query": report.query(
                unit=report.node.code,
                missing=getattr(report.missing_in, "code", ""),
                children="1" if report.children_only else "",
            ),
            "list_url": f"fundreports:progress_{report.category}",
            "export_url": f"fundreports:progress_{report.category}_export",
            "chart": chart,
        },
    )


def export(request, category: str):
    report = progress_request(request, category, Action.EXPORT)
    project_code = report.project.code if report.project else ""
    project_name = report.project.name if report.project else ""
    if report.missing_in is not None and request.GET.get("missing") and report.project:
        units = report.not_filed(request.user)
        table = Table(
            [
                Column(_("Unit code"), CODE),
                Column(_("Unit name")),
                Column(_("Level")),
                Column(_("Parent unit code"), CODE),
                Column(_("Parent unit")),
                Column(_("Filing status")),
            ],
            (
                [
                    u.code,
                    u.name,
                    label(Level, u.level),
                    u.parent.code,
                    u.parent.name,
                    STATUS_LABELS.get(u.filing_status, _("Not filed")),
                ]
                for u in units[:EXPORT_LIMIT]
            ),
            sheet=progress.EXPORT_TABLES["not_filed"],
        )
        kind = "not_filed"
    else:
        total = progress.totals(report.rows)
        table = Table(
            [
                Column(_("Unit code"), CODE),
                Column(_("Unit name")),
                Column(_("Level")),
                Column(_("Expected"), INTEGER),
                Column(_("Filed"), INTEGER),
                Column(_("On time"), INTEGER),
                Column(_("Late"), INTEGER),
                Column(_("Not filed"), INTEGER),
                Column(_("Filing rate"), PERCENT),
            ],
            (
                _progress_row(
                    row.unit.code, row.unit.name, label(Level, row.unit.level), row.counts
                )
                for row in report.rows
            ),
            sheet=progress.EXPORT_TABLES["children"],
            total=_progress_row("", _("Total"), "", total),
        )
        kind = "children"
    title = progress.EXPORT_TABLES[kind]
    response = export_response(
        table,
        f"{title}-{report.category.label}-{project_name}-{report.year}-{report.node.name}",
    )
    audit_record(
        request=request,
        action="fundreports.progress_export",
        detail={
            "category": str(report.category),
            "year": report.year,
            "project": project_code,
            "unit": report.node.code,
            "table": kind,
            "missing_in": getattr(report.missing_in, "code", ""),
            "rows": table.written,
        },
    )
    return response


def _progress_row(code, name, level, counts) -> list:
    return [
        code,
        name,
        level,
        counts.expected,
        counts.filed,
        counts.on_time,
        counts.late,
        counts.not_filed,
        counts.percent,
    ]


urlpatterns = []
for _category in Category.values:
    urlpatterns += [
        path(
            f"progress/{_category}/",
            progress_page,
            {"category": _category},
            name=f"progress_{_category}",
        ),
        path(
            f"progress/{_category}/export.xlsx",
            export,
            {"category": _category},
            name=f"progress_{_category}_export",
        ),
    ]
