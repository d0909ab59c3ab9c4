"""资金收支汇总: what the summary tables share — the scope of one report (user, node, category,
year, project), the table shape every formatter reads (HTML, XLSX), and the scoped querysets
grouped "per child unit of the node" in one query each.

Which tables a report has depends on the category and on the node's level (docs/domain.md, funds):
`summary_upper` (central, province, prefecture), `summary_lower` (county, school),
`summary_own` (school and social aid). See docs/adr/0007-cost-sharing-and-summary.md.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, scoped, scoped_by_path
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports.models import SchoolBalanceTotal, SchoolCount, SchoolPaymentTotal
from zizhu.fundreports.tree import below_per_child, children_in_scope
from zizhu.funds.models import ZERO, Allocation, Balance, Filing
from zizhu.lib.compiled import (
    STAND_IN_IDS,
    STAND_IN_PATH,
    STAND_IN_YEAR,
    compiled_values,
    fields_of,
    instances,
    prefix,
)
from zizhu.recipients.models import RecipientList, Status, Term
from zizhu.units.models import Level, Unit
from zizhu.vouchers.models import Voucher

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
# The levels whose users see the authority tables; county and school nodes see the others.
UPPER_LEVELS = (Level.CENTRAL, Level.PROVINCE, Level.PREFECTURE)


def money(value) -> Decimal:
    """A sum from the database as yuan with two places (SQLite sums decimals as floats)."""
    return (value or ZERO).quantize(CENT)


def rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole` (two places), None when there is no whole."""
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(CENT)


@dataclass
class Row:
    cells: list
    unit: Unit | None = None  # the child unit this row drills down to
    url: str = ""  # the page of the record this row is made of
    total: bool = False


# Each table's title by its key: on the page, as the export's sheet and file name, and in the
# audit log, which names the table a summary export recorded (fundreports' AppConfig.ready).
TITLES = {
    "overview": _("Overall funds"),
    "sharing": _("Cost sharing"),
    "sharing_split": _("Split of local funds"),
    "levels": _("Execution per level"),
    "level_children": _("Execution per subordinate unit"),
    "schools": _("Execution at schools"),
    "arrivals": _("Funds arrived per fiscal level"),
    "arrival_children": _("Funds arrived per subordinate unit"),
    "pending": _("Confirm receipt"),
    "recipients": _("Recipient-list total"),
    "vouchers": _("Total paid by finance"),
    "funds": _("Funds, expenditure and balance"),
}


@dataclass
class Table:
    key: str
    header: list
    rows: list[Row]
    note: str = ""
    chart: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return TITLES[self.key]


def total_row(label, rows: list[Row], skip: int = 1) -> Row:
    """A row summing the numeric columns after the first `skip` ones (None stays None)."""
    width = len(rows[0].cells) if rows else 0
    cells: list = [label] + [""] * (skip - 1)
    for i in range(skip, width):
        values = [r.cells[i] for r in rows if isinstance(r.cells[i], Decimal | int)]
        cells.append(sum(values, ZERO if any(isinstance(v, Decimal) for v in values) else 0))
    return Row(cells, total=True)


def recipient_terms(year: int) -> Q:
    """The recipient lists that belong to funds year (使用年度) `year`: the terms falling in
    calendar year `year`, i.e. spring of school year `year − 1` and autumn of school year
    `year` (docs/domain.md, periods: a school year starts in September)."""
    return Q(year=year - 1, term=Term.SPRING) | Q(year=year, term=Term.AUTUMN)


# What a summary query is compiled for (zizhu.lib.compiled): a node below the user's unit (a
# path of its own, so that the user's scope and the node's subtree are told apart), a project,
# a year and the year before it (recipient lists' spring term), each as the database receives
# it, by the name `Scope.rows` gives the call's own value. The user's unit's id reaches no
# query (the scope is its path): it is a stand-in without a mark.
_NODE, _PROJECT, _USER_UNIT = STAND_IN_IDS[:3]
_NODE_PATH = STAND_IN_PATH * 2
STAND_INS = {
    "scope": prefix(STAND_IN_PATH),
    "node": _NODE,
    "node_path": _NODE_PATH,
    "below": prefix(_NODE_PATH),
    "year": STAND_IN_YEAR,
    "last_year": STAND_IN_YEAR - 1,
    "project": _PROJECT,
}


@dataclass
class Scope:
    """One summary report: the user, the unit drilled down to, the category, year, project."""

    user: object
    node: Unit
    category: str
    year: int
    project: AidProject | None = None
    # Figures more than one table of the report needs, read once (see summary_upper).
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    # The real node when this scope's node is a stand-in (`rows`): the length and depth of its
    # path place the child codes in the paths below it.
    layout: Unit | None = field(default=None, repr=False, compare=False)

    @property
    def upper(self) -> bool:
        return self.node.level in UPPER_LEVELS

    @property
    def own_category(self) -> bool:
        return self.category in (Category.SCHOOL, Category.SOCIAL)

    def _project(self, prefix: str) -> dict:
        lookups = {f"{prefix}year": self.year, f"{prefix}project__category": self.category}
        if self.project is not None:
            lookups[f"{prefix}project"] = self.project
        return lookups

    def filings(self) -> QuerySet[Filing]:
        return scoped(Filing.objects.filter(**self._project("")), self.user, Action.VIEW)

    def balances(self) -> QuerySet[Balance]:
        queryset = Balance.objects.filter(**self._project("filing__"))
        return scoped(queryset, self.user, Action.VIEW, "filing__unit")

    def allocations_in(self) -> QuerySet[Allocation]:
        queryset = Allocation.objects.filter(**self._project("to_filing__"))
        return scoped(queryset, self.user, Action.VIEW, "to_filing__unit")

    def recipient_lists(self) -> QuerySet[RecipientList]:
        queryset = RecipientList.objects.filter(
            recipient_terms(self.year), status=Status.APPROVED, project__category=self.category
        )
        if self.project is not None:
            queryset = queryset.filter(project=self.project)
        return scoped(queryset, self.user, Action.VIEW, "school")

    def vouchers(self) -> QuerySet[Voucher]:
        return scoped(Voucher.objects.filter(**self._project("")), self.user, Action.VIEW)

    def _per_authority(self, queryset: QuerySet) -> QuerySet:
        return scoped_by_path(queryset, self.user, Action.VIEW, "authority_path")

    def school_balances(self) -> QuerySet[SchoolBalanceTotal]:
        """The balances of schools, summed per authority they hang under (rollups.py)."""
        return self._per_authority(SchoolBalanceTotal.objects.filter(**self._project("")))

    def school_payments(self) -> QuerySet[SchoolPaymentTotal]:
        """Voucher and approved recipient-list totals of schools, per authority above them."""
        return self._per_authority(SchoolPaymentTotal.objects.filter(**self._project("")))

    def school_counts(self) -> QuerySet[SchoolCount]:
        """The schools per authority they hang under and stage (rollups.py)."""
        return self._per_authority(SchoolCount.objects.all())

    @cached_property
    def children(self) -> list[Unit]:
        """The node's child units in scope, authorities first (one query); a school node
        stands for itself."""
        if self.node.is_school:
            return [self.node]
        return instances(Unit, self.rows("children", _children, "scope node"))

    def per_child(self, queryset: QuerySet, unit_field: str, path: str = "") -> QuerySet:
        """`queryset` narrowed to rows strictly below the node, each with `child`: the code
        of the node's child whose subtree holds the row's unit. At a school node, its rows.
        `path` names the field holding the unit's path when it is not `<unit_field>__path`
        (the per-authority totals carry a copy)."""
        path, code = path or f"{unit_field}__path", f"{unit_field}__code"
        node = self.node
        if node.is_school:
            return queryset.filter(**{path: node.path}).annotate(child=F(code))
        return below_per_child(queryset, node, path, layout=self.layout)

    def rows(self, name: str, query: Callable[["Scope"], QuerySet], uses: str) -> list[dict]:
        """The dicts of `query(self)`, a `.values()` queryset, its SQL compiled once per shape
        (zizhu.lib.compiled): building and compiling the summary's grouped queries cost more
        CPU than the database spends running most of them. `query` builds it for a scope of
        stand-ins (`STAND_INS`) and must read the scope's values only through the scope's
        methods and its node's id and path; `uses` names the values its SQL holds ("project"
        is left out when there is none, "below" at a school, which `per_child` reads by its
        path), each checked to be there. What else its SQL depends on is in the shape: the
        role, category, whether there is a project, and the node's level, depth and path
        length (the stand-in node has the real depth; `per_child` places the child code by
        the depth and length)."""
        node, project = self.node, self.project
        names = set(uses.split())
        if project is None:
            names.discard("project")
        if node.is_school:
            names.discard("below")
        values = {
            "scope": prefix(self.user.unit.path),
            "node": node.pk,
            "node_path": node.path,
            "below": prefix(node.path),
            "year": self.year,
            "last_year": self.year - 1,
            "project": project.pk if project is not None else None,
        }
        shape = (f"summary.{name}", self.user.role, self.category, project is None)
        shape += (node.level, node.depth, len(node.path))

        def build() -> QuerySet:
            user = User(role=self.user.role, unit=Unit(pk=_USER_UNIT, path=STAND_IN_PATH))
            stand_in = Scope(
                user,
                Unit(pk=_NODE, path=_NODE_PATH, level=node.level, depth=node.depth),
                self.category,
                STAND_IN_YEAR,
                None if project is None else AidProject(pk=_PROJECT, category=self.category),
                layout=node,
            )
            return query(stand_in)

        marks = {STAND_INS[used]: used for used in names}
        return compiled_values(shape, build, marks, values)


def _children(scope: Scope) -> QuerySet:
    return children_in_scope(scope.user, scope.node).values(*fields_of(Unit))


def default_year(years: list[int]) -> int:
    return years[0] if years else timezone.localdate().year


def child_rows(scope: Scope, figures: dict[str, list], empty: list) -> list[Row]:
    """One row per child unit: its name, then its figures (`empty` where it has none)."""
    return [
        Row([child.name, *figures.get(child.code, empty)], unit=child) for child in scope.children
    ]
