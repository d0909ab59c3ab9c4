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
from typing import cast

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, can, scoped, scoped_by_path, units_for
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports.models import SchoolCount, SchoolFilingCount
from zizhu.fundreports.tree import ChildCode, child_code, child_position, children_in_scope
from zizhu.funds.models import FILED_STATUSES, Deadline, Filing, FilingStatus
from zizhu.lib.compiled import (
    STAND_IN_IDS,
    STAND_IN_PATH,
    STAND_IN_TEXT,
    STAND_IN_YEAR,
    compiled,
    compiled_values,
    fields_of,
    instances,
    prefix,
)
from zizhu.units.models import Level, Unit

AUTHORITY_FILED = (Category.NATIONAL, Category.LOCAL)
PERCENT = Decimal("0.1")
# The report's two exports, by the key their audit record names (fundreports.progress_export).
EXPORT_TABLES = {"not_filed": _("Units not filed"), "children": _("Filing progress")}


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


def _live_query(units: QuerySet[Unit], year: int, project: AidProject, child) -> QuerySet:
    """Counts per `child` (an expression) of `units`, from their filings and the deadlines
    their parents set: one grouped query of joins (correlated subqueries per unit cost
    seconds at national scale and push PostgreSQL into JIT compiling the plan)."""
    filed = Q(this_filing__status__in=FILED_STATUSES)
    return (
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


def _live_rows(ask: "_Ask") -> QuerySet:
    """The authorities below the node and the node's own schools, counted per child (a
    direct school's path segment after the node is its own code)."""
    below = expected_below(ask.user, ask.node, ask.project)
    live = below.filter(~Q(level=Level.SCHOOL) | Q(parent=ask.node))
    return _live_query(live, ask.year, ask.project, ask.child("path"))


def _below(queryset: QuerySet, ask: "_Ask") -> QuerySet:
    """`tree.below_per_child` of the node on "authority_path", with `ask`'s child code."""
    path = ask.node.path
    below = queryset.filter(authority_path__startswith=path).exclude(authority_path=path)
    return below.annotate(child=ask.child("authority_path")).order_by()


def _school_rows(ask: "_Ask") -> QuerySet:
    """The active schools of the project's stage further down, per child (rollups.py)."""
    stages = {} if ask.project.stage == "any" else {"stage": ask.project.stage}
    schools = scoped_by_path(
        SchoolCount.objects.filter(**stages), ask.user, Action.VIEW, "authority_path"
    )
    return _below(schools, ask).values("child").annotate(n=Sum("active"))


def _filing_rows(ask: "_Ask") -> QuerySet:
    """Their filed and late filings of the year and project, per child (rollups.py)."""
    filings = scoped_by_path(
        SchoolFilingCount.objects.filter(year=ask.year, project=ask.project),
        ask.user,
        Action.VIEW,
        "authority_path",
    )
    return _below(filings, ask).values("child").annotate(filed=Sum("filed"), late=Sum("late"))


def _children(ask: "_Ask") -> QuerySet:
    return children_in_scope(ask.user, ask.node).values(*fields_of(Unit))


def progress_by_child(user, node: Unit, year: int, project: AidProject) -> list[ChildRow]:
    """Each child of `node` with the counts of its subtree (itself included), in four
    queries whatever the size of the subtree: the children; the authorities below the node
    and the node's own schools, read live (one query); the schools further down through
    their counts per authority (rollups.py: active schools per stage, filed and late
    filings). Children with nobody to file are left out. The three counting queries are
    compiled once per shape (`_rows`), the children's too."""
    ask = _Ask(user, node, year, project)
    children = instances(Unit, _rows(_children, ask, CHILDREN_VALUES))
    per_child: dict[str, Counts] = {}

    def add(child: str, counts: Counts) -> None:
        per_child.setdefault(child, Counts()).add(counts)

    for row in _rows(_live_rows, ask, LIVE_VALUES):
        add(row["child"], Counts(row["expected"], row["filed_n"], row["late_n"]))
    for row in _rows(_school_rows, ask, SCHOOL_VALUES):
        add(row["child"], Counts(expected=row["n"] or 0))
    for row in _rows(_filing_rows, ask, FILING_VALUES):
        add(row["child"], Counts(filed=row["filed"] or 0, late=row["late"] or 0))
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


def _own_query(ask: "_Ask") -> QuerySet:
    units = units_for(ask.user, Action.VIEW).filter(pk=ask.node.pk)
    units = units.filter(expected_condition(ask.project))
    filing = with_filing(ask.user, units, ask.year, ask.project).order_by()
    return filing.values("filing_status", "filed", "submitted_at", "due_at")


def own_filing(user, node: Unit, year: int, project: AidProject) -> OwnFiling | None:
    """The node's own filing, or None when the node is not one that files `project` (or lies
    outside the user's scope); its query compiled once per shape (`_rows`)."""
    rows = _rows(_own_query, _Ask(user, node, year, project), OWN_VALUES)
    if not rows:
        return None
    row = rows[0]
    return OwnFiling(row["filing_status"], row["filed"], row["submitted_at"], row["due_at"])


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


def _not_filed_query(ask: "_Ask") -> QuerySet[Unit]:
    """`not_filed` below the node in `within`'s subtree, or only `within`'s children."""
    within = cast(Unit, ask.within)
    units = not_filed(ask.user, ask.node, within, ask.year, ask.project)
    return units.filter(parent=within) if ask.children_only else units


def _not_filed_count(ask: "_Ask") -> QuerySet:
    return _not_filed_query(ask).order_by().values("pk")


def _not_filed_page(ask: "_Ask") -> QuerySet:
    # in the order `NotFiledList` unpacks the rows
    fields = ("pk", "code", "name", "level", "parent_id", "parent__name", "filing_status")
    return _not_filed_query(ask).values_list(*fields)


class NotFiledList:
    """The units of `not_filed` (only `within`'s children with `children_only`) as the page
    lists them, for a paginator: their number and a page of them, each one query compiled
    once per shape (`_rows`). A page's units hold their code, name, level, parent (its
    name) and `filing_status`, nothing else."""

    def __init__(
        self,
        user,
        node: Unit,
        within: Unit,
        year: int,
        project: AidProject,
        *,
        children_only: bool = False,
    ):
        self.ask = _Ask(user, node, year, project, within, children_only)

    def count(self) -> int:
        if not can(self.ask.user, Action.VIEW):
            return 0
        sql, params = compiled(*_compiled_args(_not_filed_count, self.ask, NOT_FILED_VALUES))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) missing", params)  # noqa: S608 - compiled
            return cursor.fetchone()[0]

    def __getitem__(self, part: slice) -> list[Unit]:
        start = part.start or 0
        if part.stop <= start or not can(self.ask.user, Action.VIEW):
            return []  # as a queryset's empty slice: no query
        sql, params = compiled(*_compiled_args(_not_filed_page, self.ask, NOT_FILED_VALUES))
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, part.stop - start, start])
            rows = cursor.fetchall()
        parents: dict[int, Unit] = {}
        units = []
        for pk, code, name, level, parent_id, parent_name, status in rows:
            unit = Unit(pk=pk, code=code, name=name, level=level)
            if parent_id not in parents:
                parents[parent_id] = Unit(pk=parent_id, name=parent_name)
            unit.parent = parents[parent_id]
            unit.filing_status = status
            units.append(unit)
        return units


# The page's queries are compiled once per shape (zizhu.lib.compiled): building and compiling
# them cost Django more CPU than PostgreSQL spends running most of them. Each is built for
# stand-ins of what it is asked (`_Ask`): the user's scope, the node, the unit whose not-filed
# units are listed, the year, the project and its stage; the stand-in paths differ, so that
# none of them can pass for another.
_NODE, _PROJECT, _WITHIN, _AT = STAND_IN_IDS
_SCOPE_PATH = f"{STAND_IN_PATH}scope/"
_NODE_PATH = f"{STAND_IN_PATH}node/"
_WITHIN_PATH = f"{STAND_IN_PATH}within/"

# the values each query takes, by their names in `_Ask.values` ("stage": unless "any")
CHILDREN_VALUES = ("scope", "node")
LIVE_VALUES = ("scope", "node", "node_prefix", "year", "project", "stage", "at")
SCHOOL_VALUES = ("scope", "node_prefix", "node_path", "stage", "at")
FILING_VALUES = ("scope", "node_prefix", "node_path", "year", "project", "at")
OWN_VALUES = ("scope", "node", "year", "project", "stage")
NOT_FILED_VALUES = ("scope", "node", "node_prefix", "within_prefix", "year", "project", "stage")


@dataclass
class _Ask:
    """What one of the page's queries is asked: for the user, below the node, in a year, of a
    project; the not-filed list also within a unit (only its children, or its subtree)."""

    user: User
    node: Unit
    year: int
    project: AidProject
    within: Unit | None = None
    children_only: bool = False

    def child(self, path_field: str) -> Func:
        return child_code(self.node, path_field)

    def values(self) -> dict:
        """Each value a query may take, by name, as the database receives it."""
        within = self.within or self.node
        return {
            "scope": prefix(cast(Unit, self.user.unit).path),
            "node": self.node.pk,
            "node_prefix": prefix(self.node.path),
            "node_path": self.node.path,
            "within": within.pk,
            "within_prefix": prefix(within.path),
            "year": self.year,
            "project": self.project.pk,
            "stage": self.project.stage,
            "at": child_position(self.node),
        }


class _StandIn(_Ask):
    """An `_Ask` of stand-ins, which a query is built for before it is compiled."""

    def child(self, path_field: str) -> Func:
        return ChildCode(path_field, at=_AT)

    def values(self) -> dict:
        return super().values() | {"at": _AT}


def _compiled_args(build, ask: _Ask, names: tuple[str, ...]) -> tuple:
    """The arguments of `compiled` for `build(ask)`: its shape, `build` of stand-ins, the
    marks of the stand-ins of `names` and `ask`'s values of them."""
    if ask.project.stage == "any":  # no stage to filter on: the SQL has no place for one
        names = tuple(name for name in names if name != "stage")
    if ask.children_only:
        names += ("within",)
    # the scope's unit is read by its path only: its pk is a stand-in no mark names, which
    # `compiled` refuses should it ever reach the SQL
    ints = {"node": _NODE, "project": _PROJECT, "within": _WITHIN, "at": _AT}
    spare = next(pk for name, pk in ints.items() if name not in names)
    project = ask.project
    stage = "any" if project.stage == "any" else STAND_IN_TEXT
    stand_in = _StandIn(
        User(role=ask.user.role, unit=Unit(pk=spare, path=_SCOPE_PATH)),
        Unit(pk=_NODE, path=_NODE_PATH),
        STAND_IN_YEAR,
        AidProject(pk=_PROJECT, stage=stage, category=project.category),
        Unit(pk=_WITHIN, path=_WITHIN_PATH) if ask.within is not None else None,
        ask.children_only,
    )
    stand_ins, values = stand_in.values(), ask.values()
    marks = {stand_ins[name]: name for name in names}
    shape = (
        "progress",
        build.__name__,
        ask.user.role,
        project.category,
        stage,
        ask.within is not None,
        ask.children_only,
    )
    return shape, lambda: build(stand_in), marks, {name: values[name] for name in names}


def _rows(build, ask: _Ask, names: tuple[str, ...]) -> list[dict]:
    """The rows of `build(ask)`, a `.values()` query, compiled once per shape for stand-ins
    and run with `ask`'s values of `names` (zizhu.lib.compiled). A user who may not view
    units gets the plain query's answer (nothing)."""
    if not can(ask.user, Action.VIEW):
        return list(build(ask))
    return compiled_values(*_compiled_args(build, ask, names))
