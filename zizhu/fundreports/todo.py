"""The reports' part of a home page: for an authority operator, the subordinate units that
missed a filing deadline its unit set (a to-do line per deadline, counted from the progress
page's list of units that have not filed); for supervisors and centre leaders, the key
figures of their subtree (execution rate, units late or not filed), each with its report."""

from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, is_authority_operator, is_overseer, scoped_by_path
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports import details, progress
from zizhu.fundreports.models import SchoolCount
from zizhu.fundreports.summary import rate
from zizhu.funds.models import Balance, Deadline
from zizhu.lib.compiled import (
    STAND_IN_IDS,
    STAND_IN_PATH,
    STAND_IN_TEXT,
    STAND_IN_YEAR,
    compiled,
    compiled_cursor,
    prefix,
)
from zizhu.lib.todo import KeyFigure, TodoLine
from zizhu.units.models import Unit


def _progress_url(category: str, **params) -> str:
    return reverse(f"fundreports:progress_{category}") + "?" + urlencode(params)


def overdue_children(user) -> list[TodoLine]:
    """Per deadline the user's unit set that has passed: its direct children that should
    file the project and have not (one count per deadline)."""
    if not is_authority_operator(user):
        return []
    unit = user.unit
    deadlines = (
        Deadline.objects.filter(unit=unit, due_at__lt=timezone.now())
        .select_related("project")
        .order_by("-year", "project__code")
    )
    lines = []
    for deadline in deadlines:
        count = _not_filed_children(user, deadline)
        if count:
            label = _("Subordinate units past the filing deadline (%(project)s, %(year)s)")
            url = _progress_url(
                deadline.project.category,
                year=deadline.year,
                project=deadline.project.pk,
                unit=unit.code,
                missing=unit.code,
                children=1,
            )
            lines.append(
                TodoLine(
                    label % {"project": deadline.project.name, "year": deadline.year}, count, url
                )
            )
    return lines


def _not_filed_children(user, deadline: Deadline) -> int:
    """The direct children of the deadline's unit (the user's) that should file its project
    and have not (`progress.not_filed`, counted), the query compiled once per shape
    (zizhu.lib.compiled): building and compiling it cost ~2 ms a deadline."""
    project = deadline.project
    stand_unit, stand_project = STAND_IN_IDS[:2]
    stage = project.stage if project.stage == "any" else STAND_IN_TEXT

    def build() -> QuerySet:
        unit = Unit(pk=stand_unit, path=STAND_IN_PATH)
        stand_in = AidProject(pk=stand_project, stage=stage, category=project.category)
        missing = progress.not_filed(
            User(role=user.role, unit=unit), unit, unit, STAND_IN_YEAR, stand_in
        )
        return missing.filter(parent=unit).order_by().values("pk")

    marks = {stand_unit: "unit", prefix(STAND_IN_PATH): "path", stand_project: "project"}
    marks |= {STAND_IN_YEAR: "year"} | ({STAND_IN_TEXT: "stage"} if stage == STAND_IN_TEXT else {})
    values = {"unit": user.unit.pk, "path": prefix(user.unit.path), "project": project.pk}
    values |= {"year": deadline.year, "stage": project.stage}
    shape = ("overdue_children", user.role, stage == STAND_IN_TEXT, project.category)
    sql, params = compiled(shape, build, marks, values)
    with compiled_cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) missing", params)  # noqa: S608 - compiled
        return cursor.fetchone()[0]


def _execution_rate(user, year: int) -> Decimal | None:
    """Allocated down ÷ funds (received + own) of the user's unit's national filings."""
    sums = Balance.objects.filter(
        filing__unit=user.unit, filing__year=year, filing__project__category=Category.NATIONAL
    ).aggregate(received=Sum("received"), own=Sum("own"), out=Sum("allocated_out"))
    funds = (sums["received"] or 0) + (sums["own"] or 0)
    return rate(sums["out"] or Decimal(0), funds) if funds else None


def shows_key_figures(user) -> bool:
    """Supervisors and centre leaders read key figures on their home page."""
    return is_overseer(user)


def key_figures(user) -> list[KeyFigure]:
    """The national-aid figures of the latest year with filings in the user's scope."""
    if not shows_key_figures(user):
        return []
    years = details.years_in_scope(user, Category.NATIONAL)
    if not years:
        return []
    year = years[0]
    figures = []
    execution = _execution_rate(user, year)
    if execution is not None:
        figures.append(
            KeyFigure(
                _("Execution rate of national aid, %(year)s") % {"year": year},
                f"{execution}%",
                reverse("fundreports:summary_national") + "?" + urlencode({"year": year}),
            )
        )
    filed = details.projects_in_scope(user, Category.NATIONAL, year)
    for project in details.category_projects(Category.NATIONAL):
        if project.pk not in filed:
            continue
        total = progress.totals(progress.progress_by_child(user, user.unit, year, project))
        if not total.expected:
            continue
        label = _("%(project)s %(year)s: late %(late)s, not filed %(missing)s")
        figures.append(
            KeyFigure(
                label
                % {
                    "project": project.name,
                    "year": year,
                    "late": total.late,
                    "missing": total.not_filed,
                },
                f"{total.percent}%",
                _progress_url(Category.NATIONAL, year=year, project=project.pk),
                tone="medium" if total.late or total.not_filed else "",
            )
        )
    return figures


def schools_by_stage(user) -> dict[str, int]:
    """The schools in the user's scope per stage, summed from the per-authority counts
    (rollups.py): a few thousand rows for the country instead of its ~230,000 schools."""
    rows = (
        scoped_by_path(SchoolCount.objects.all(), user, Action.VIEW, "authority_path")
        .order_by()
        .values("stage")
        .annotate(n=Sum("schools"))
    )
    return {row["stage"]: row["n"] for row in rows if row["n"]}
