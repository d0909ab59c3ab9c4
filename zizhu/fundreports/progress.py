"""Reads of 资金填报进展: which units below a node should file a project for a year, which
have filed (FILED_STATUSES), on time or late, per child unit of the node.

Who should file: every active authority below the node for national and local aid (school and
social aid are filed by schools only), plus every active school whose stage is the project's
(all schools for a project of stage "any"). The node's own filing is reported on its own.
Late: submitted after the deadline the unit's parent set for that year and project; without a
deadline a filing is on time. Every function answers in a fixed number of queries.

Every function takes the user and reads units and filings through `zizhu.access` (VIEW): a
node outside the user's scope gives nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)

from zizhu.access import Action, scoped, scoped_by_path, units_for
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports.models import SchoolCount, SchoolFilingCount
from zizhu.fundreports.tree import below_per_child, child_code
from zizhu.funds.models import FILED_STATUSES, Deadline, Filing, FilingStatus
from zizhu.units.models import Level, Unit

AUTHORITY_FILED = (Category.NATIONAL, Category.LOCAL)
PERCENT = Decimal("0.1")


def expected_condition(project: AidProject) -> Q:
    """The units (by their own fields) that should file `project`."""
    schools = Q(level=Level.SCHOOL)
    if project.stage != "any":
        schools &= Q(stage=project.stage)
    if project.category in AUTHORITY_FILED:
        return ~Q(level=Level.SCHOOL) | schools
    return schools


def with_filing(user, units: QuerySet[Unit], year: int, project: AidProject) -> QuerySet[Unit]:
    """Each unit with its filing's status and submission time, whether it counts as filed,
    the deadline its parent set, and whether it was late."""
    filing = scoped(
        Filing.objects.filter(unit=OuterRef("pk"), year=year, project=project), user, Action.VIEW
    )
    # The deadline is the one set for the unit, by its parent: the parent of the top node may
    # lie outside the scope (a prefecture sees the deadline its province set for it).
    deadline = Deadline.objects.filter(unit=OuterRef("parent_id"), year=year, project=project)
    return units.annotate(
        filing_status=Subquery(filing.values("status")[:1]),
        filed=Exists(filing.filter(status__in=FILED_STATUSES)),
        submitted_at=Subquery(filing.values("submitted_at")[:1]),
        due_at=Subquery(deadline.values("due_at")[:1]),
    )


LATE = Q(filed=True, submitted_at__gt=F("due_at"))


def expected_below(user, node: Unit, project: AidProject) -> QuerySet[Unit]:
    """The units strictly below `node`, in the user's scope, that should file `project`
    (active ones only)."""
    return (
        units_for(user, Action.VIEW)
        .filter(path__startswith=node.path, is_active=True)
        .exclude(pk=node.pk)
        .filter(expected_condition(project))
    )


@dataclass
class Counts:
    expected: int = 0
    filed: int = 0
    late: int = 0

    @property
    def on_time(self) -> int:
        return self.filed - self.late

    @property
    def not_filed(self) -> int:
        return self.expected - self.filed

    @property
    def percent(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.filed * 100) / self.expected).quantize(PERCENT)

    def add(self, other: "Counts") -> None:
        self.expected += other.expected
        self.filed += other.filed
        self.late += other.late


@dataclass
class ChildRow:
    unit: Unit
    counts: Counts


def _live_counts(units: QuerySet[Unit], year: int, project: AidProject, child) -> dict:
    """Counts per `child` (an expression) of `units`, from their filings and the deadlines
    their parents set: one grouped query of joins (correlated subqueries per unit cost
    seconds at national scale and push PostgreSQL into JIT compiling the plan)."""
    filed = Q(this_filing__status__in=FILED_STATUSES)
    rows = (
        units.annotate(
            this_filing=FilteredRelation(
                "filings", condition=Q(filings__year=year, filings__project=project)
            ),
            parent_deadline=FilteredRelation(
                "parent__deadlines",
                condition=Q(parent__deadlines__year=year, parent__deadlines__project=project),
            ),
            child=child,
        )
        .order_by()
        .values("child")
        .annotate(
            expected=Count("pk"),
            filed_n=Count("pk", filter=filed),
            late_n=Count(
                "pk",
                filter=filed & Q(this_filing__submitted_at__gt=F("parent_deadline__due_at")),
            ),
        )
    )
    return {row["child"]: Counts(row["expected"], row["filed_n"], row["late_n"]) for row in rows}


def progress_by_child(user, node: Unit, year: int, project: AidProject) -> list[ChildRow]:
    """Each child of `node` with the counts of its subtree (itself included), in four
    queries whatever the size of the subtree: the children; the authorities below the node
    and the node's own schools, read live (one query); the schools further down through
    their counts per authority (rollups.py: active schools per stage, filed and late
    filings). Children with nobody to file are left out."""
    children = list(units_for(user, Action.VIEW).filter(parent=node).order_by("level", "code"))
    below = expected_below(user, node, project)
    per_child: dict[str, Counts] = {}

    def add(found: dict) -> None:
        for code, counts in found.items():
            per_child.setdefault(code, Counts()).add(counts)

    # the authorities below and the node's own schools, in one query: a direct school's
    # path segment after the node is its own code
    live = below.filter(~Q(level=Level.SCHOOL) | Q(parent=node))
    add(_live_counts(live, year, project, child_code(node)))
    stages = {} if project.stage == "any" else {"stage": project.stage}
    schools = scoped_by_path(
        SchoolCount.objects.filter(**stages), user, Action.VIEW, "authority_path"
    )
    for row in (
        below_per_child(schools, node, "authority_path").values("child").annotate(n=Sum("active"))
    ):
        add({row["child"]: Counts(expected=row["n"] or 0)})
    filings = scoped_by_path(
        SchoolFilingCount.objects.filter(year=year, project=project),
        user,
        Action.VIEW,
        "authority_path",
    )
    for row in (
        below_per_child(filings, node, "authority_path")
        .values("child")
        .annotate(filed=Sum("filed"), late=Sum("late"))
    ):
        add({row["child"]: Counts(filed=row["filed"] or 0, late=row["late"] or 0)})
    return [
        ChildRow(c, per_child[c.code])
        for c in children
        if c.code in per_child and per_child[c.code].expected
    ]


def totals(rows: list[ChildRow]) -> Counts:
    total = Counts()
    for row in rows:
        total.add(row.counts)
    return total


@dataclass
class OwnFiling:
    """The node's own filing: its status, and on time or late against its parent's deadline."""

    status: str | None
    filed: bool
    submitted_at: datetime | None
    due_at: datetime | None

    @property
    def status_label(self) -> str:
        return FilingStatus(self.status).label if self.status else ""

    @property
    def late(self) -> bool:
        if not (self.filed and self.submitted_at and self.due_at):
            return False
        return self.submitted_at > self.due_at


def own_filing(user, node: Unit, year: int, project: AidProject) -> OwnFiling | None:
    """The node's own filing, or None when the node is not one that files `project` (or lies
    outside the user's scope)."""
    units = units_for(user, Action.VIEW).filter(pk=node.pk).filter(expected_condition(project))
    unit = with_filing(user, units, year, project).first()
    if unit is None:
        return None
    return OwnFiling(unit.filing_status, unit.filed, unit.submitted_at, unit.due_at)


def not_filed(user, node: Unit, within: Unit, year: int, project: AidProject) -> QuerySet[Unit]:
    """The units below `node`, in `within`'s subtree and the user's scope, that should file
    and have not (with the status of an unfinished filing, if any), in tree order."""
    units = expected_below(user, node, project).filter(path__startswith=within.path)
    return (
        with_filing(user, units, year, project)
        .filter(filed=False)
        .select_related("parent")
        .order_by("path")
    )
