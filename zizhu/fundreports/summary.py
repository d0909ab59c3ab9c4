"""资金收支汇总: what the summary tables share — the scope of one report (user, node, category,
year, project), the table shape every formatter reads (HTML, XLSX), and the scoped querysets
grouped "per child unit of the node" in one query each.

Which tables a report has depends on the category and on the node's level (docs/domain.md, funds):
`summary_upper` (central, province, prefecture), `summary_lower` (county, school),
`summary_own` (school and social aid). See docs/adr/0007-cost-sharing-and-summary.md.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zizhu.access import Action, scoped, scoped_by_path, units_for
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports.models import SchoolBalanceTotal, SchoolCount, SchoolPaymentTotal
from zizhu.fundreports.tree import below_per_child
from zizhu.funds.models import ZERO, Allocation, Balance, Filing
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


@dataclass
class Table:
    key: str
    title: str
    header: list
    rows: list[Row]
    note: str = ""
    chart: dict = field(default_factory=dict)


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
        below = units_for(self.user, Action.VIEW).filter(parent=self.node)
        return list(below.order_by("level", "code"))

    def per_child(self, queryset: QuerySet, unit_field: str, path: str = "") -> QuerySet:
        """`queryset` narrowed to rows strictly below the node, each with `child`: the code
        of the node's child whose subtree holds the row's unit. At a school node, its rows.
        `path` names the field holding the unit's path when it is not `<unit_field>__path`
        (the per-authority totals carry a copy)."""
        path, code = path or f"{unit_field}__path", f"{unit_field}__code"
        if self.node.is_school:
            return queryset.filter(**{path: self.node.path}).annotate(child=F(code))
        return below_per_child(queryset, self.node, path)


def default_year(years: list[int]) -> int:
    return years[0] if years else timezone.localdate().year


def child_rows(scope: Scope, figures: dict[str, list], empty: list) -> list[Row]:
    """One row per child unit: its name, then its figures (`empty` where it has none)."""
    return [
        Row([child.name, *figures.get(child.code, empty)], unit=child) for child in scope.children
    ]
