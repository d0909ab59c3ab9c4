"""Reads of payment vouchers. `vouchers_for` is the scoped entry point; the totals take
querysets the caller already reached through zizhu.access."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Case, Count, DecimalField, F, Min, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, scoped
from zizhu.catalogue.models import AidProject
from zizhu.lib.exports import AMOUNT as AMOUNT_COLUMN
from zizhu.lib.exports import CODE, DATETIME, INTEGER, YEAR, Column
from zizhu.units.models import Level, Unit
from zizhu.vouchers.models import Voucher

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
AMOUNT = DecimalField(max_digits=16, decimal_places=2)
EXPORT_COLUMNS = [
    Column(_("School code"), CODE),
    Column(_("School")),
    Column(_("Year of use"), YEAR),
    Column(_("Aid project")),
    Column(_("Students"), INTEGER),
    Column(_("Aid amount"), AMOUNT_COLUMN),
    Column(_("Note")),
    Column(_("Files"), INTEGER),
    Column(_("Uploaded by")),
    Column(_("Uploaded at"), DATETIME),
]


def with_details(vouchers: QuerySet[Voucher]) -> QuerySet[Voucher]:
    """`vouchers` with what a row of the lists shows: school, project, uploader and files."""
    return vouchers.select_related("unit", "project", "created_by").prefetch_related("files")


def vouchers_for(user: object) -> QuerySet[Voucher]:
    """The vouchers of every school in the user's scope."""
    return scoped(Voucher.objects.all(), user, Action.VIEW)


def filtered(
    vouchers: QuerySet[Voucher],
    *,
    year: int | None = None,
    project: AidProject | None = None,
    school: str = "",
) -> QuerySet[Voucher]:
    if year is not None:
        vouchers = vouchers.filter(year=year)
    if project is not None:
        vouchers = vouchers.filter(project=project)
    if school:
        vouchers = vouchers.filter(unit__code__startswith=school)
    return vouchers


class Sums(TypedDict):
    count: int  # vouchers
    students_total: int
    amount_total: Decimal  # pass through `yuan()` (see voucher_totals)


class SchoolSums(Sums):
    unit: int
    unit__code: str
    unit__name: str


def _sums(queryset: QuerySet[Voucher, Any]) -> QuerySet[Voucher, Any]:
    """`queryset`'s rows (of values()) with the Sums of their vouchers."""
    return queryset.annotate(
        count=Count("id"),
        students_total=Coalesce(Sum("students"), 0),
        amount_total=Coalesce(Sum("amount"), Value(ZERO), output_field=AMOUNT),
    )


def voucher_totals(vouchers: QuerySet[Voucher]) -> QuerySet[Voucher, SchoolSums]:
    """Per school of `vouchers` (already scoped and filtered), by school code: the number of
    vouchers, students aided and amount paid (财务支付总金额), one query. Rows are dicts with
    `unit`, `unit__code`, `unit__name`, `count`, `students_total`, `amount_total`; schools
    without vouchers are absent. The school's code and name come from the unit row the scope
    already joins (a filter on `unit__in=` a query of units joined it a second time: at a
    province's ~9,000 schools, twice the index probes).

    SQLite computes sums of decimals in binary floating point and Django does not quantize
    aggregates there: pass `amount_total` through `yuan()` before showing or comparing it."""
    schools = vouchers.filter(unit__level=Level.SCHOOL)
    return _sums(schools.order_by("unit__code").values("unit", "unit__code", "unit__name"))


def yuan(value: Decimal | float | None) -> Decimal:
    """An aggregated amount as yuan with two places (see voucher_totals)."""
    return Decimal(str(value or 0)).quantize(CENT)


def grand_total(vouchers: QuerySet[Voucher]) -> Sums:
    totals = vouchers.aggregate(
        count=Count("id"),
        students_total=Coalesce(Sum("students"), 0),
        amount_total=Coalesce(Sum("amount"), Value(ZERO), output_field=AMOUNT),
    )
    return {
        "count": totals["count"],
        "students_total": totals["students_total"],
        "amount_total": yuan(totals["amount_total"]),
    }


@dataclass
class ChildTotals:
    unit: Unit
    totals: Sums | None = None  # None: no voucher below the child

    @property
    def count(self) -> int:
        return self.totals["count"] if self.totals else 0

    @property
    def students(self) -> int:
        return self.totals["students_total"] if self.totals else 0

    @property
    def amount(self) -> Decimal:
        return yuan(self.totals["amount_total"] if self.totals else None)


@dataclass
class Overview:
    """What the authorities' page shows above the vouchers: the totals per child unit and
    in all, and the number of vouchers per year (which pages the list, `InOrder`)."""

    children: list[ChildTotals]
    total: Sums
    years: dict[int, int]


def overview(unit: Unit, vouchers: QuerySet[Voucher]) -> Overview:
    """The children of `unit`, the totals of the vouchers below each, the grand total and
    the count per year: two queries, the children and one grouped by year and by the
    school's parent (a direct school of the unit by itself), each group naming its child,
    the code cut out of the school's path ("" for the unit's own rows, which no child holds).

    Grouping by a column, not by the child's code cut out of the path, lets PostgreSQL
    estimate the groups (thousands of parents, not one per voucher) and sum them in parallel
    workers: at national scale ~210 ms against ~370 grouping by the cut-out code. Every
    school under one parent below the children lies under one child, so the child of a
    parent's group is the cut-out code of any of its schools (their minimum). A unit with
    direct schools groups by an expression again (the parent, or the direct school); its
    groups stay as few (parents and direct schools, not every school)."""
    children = [] if unit.is_school else list(unit.children.order_by("level", "code"))
    offset = len(unit.path) + 1
    rest = Substr("unit__path", offset)
    child = Case(
        When(unit__path=unit.path, then=Value("")),
        default=Substr("unit__path", offset, StrIndex(rest, Value("/")) - 1),
    )
    if unit.is_school:
        key: Any = F("unit")
    elif any(c.is_school for c in children):
        # each direct school a group of its own, the schools below the other children by parent
        key = Case(When(unit__parent=unit.pk, then=F("unit")), default=F("unit__parent"))
    else:
        key = F("unit__parent")
    rows = (
        _sums(
            vouchers.filter(unit__path__startswith=unit.path).order_by().values("year", group=key)
        )
        .annotate(child=Min(child))
        .values_list("child", "year", "count", "students_total", "amount_total")
    )
    return summed(children, rows)


def summed(children: list[Unit], rows: Iterable[tuple[Any, ...]]) -> Overview:
    """The Overview of `children` from `rows` of (child code, year, vouchers, students,
    amount): several rows may name the same child and year ("" for the unit's own vouchers,
    counted in the total only)."""
    # thousands of groups at national scale: summed as tuples, amounts made yuan once a child
    per_child: dict[str, list[Any]] = {}
    years: dict[int, int] = {}
    for code, year, count, students, amount in rows:
        years[year] = years.get(year, 0) + count
        sums = per_child.get(code)
        if sums is None:
            per_child[code] = [count, students, yuan(amount)]
        else:
            sums[0] += count
            sums[1] += students
            sums[2] += yuan(amount)
    totals: dict[str, Sums] = {
        code: {"count": count, "students_total": students, "amount_total": amount}
        for code, (count, students, amount) in per_child.items()
    }
    total: Sums = {
        "count": sum(t["count"] for t in totals.values()),
        "students_total": sum(t["students_total"] for t in totals.values()),
        "amount_total": sum((t["amount_total"] for t in totals.values()), ZERO),
    }
    return Overview(
        [ChildTotals(c, totals.get(c.code)) for c in children],
        total,
        dict(sorted(years.items(), reverse=True)),
    )


# a year of at most this many vouchers is sorted, not walked along the school codes (InOrder):
# sorting 50,000 narrow rows costs tens of ms, walking every school of the country ~330
SORTED_UP_TO = 50_000


class InOrder:
    """`vouchers` in the list's order (newest year first, then school code, newest voucher
    first) for a Paginator given the count per year (`Overview.years`, newest first): a page
    reads the ids of its rows in one query, then the rows themselves by id.

    The ids are read within the years the page spans (most pages one year), never sorting
    the vouchers of other years. Over the whole tree (`whole_tree`: every unit in scope) a
    page within one year follows the school code, which PostgreSQL can walk along the unit
    code index into each school's vouchers, stopping after the page instead of sorting every
    voucher in scope (at national scale a few ms against ~200). Below the root the walk
    would pass the codes of every other subtree (a province's schools are spread over the
    code range, yet PostgreSQL assumes them evenly spread), so there the years are asked as
    a range, which keeps the sort by year, code and id over the narrow rows of the scope.
    So is a year of few vouchers (`SORTED_UP_TO`) over the whole tree: the walk would pass
    every school without one (a new year's first vouchers, from the schools of a few
    provinces: 330 ms at national scale for 2,389 vouchers, against 5 ms sorted)."""

    def __init__(
        self,
        vouchers: QuerySet[Voucher],
        years: dict[int, int],
        rows: Callable[[QuerySet[Voucher]], QuerySet[Voucher]],
        *,
        whole_tree: bool = False,
    ):
        self.vouchers = vouchers
        self.years = years  # vouchers per year, newest year first
        self.whole_tree = whole_tree
        self.total = sum(years.values())
        self.rows = rows  # what each row carries: (QuerySet) -> QuerySet

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[Voucher]:
        start, stop = window.start or 0, min(window.stop, self.total)
        spanned: list[int] = []  # the years of the window's rows
        before = seen = 0  # rows of the years before the first spanned; rows seen
        for year, count in self.years.items():
            if seen + count > start and seen < stop:
                before = before if spanned else seen
                spanned.append(year)
            seen += count
        if not spanned:
            return []
        ordered = self.vouchers.order_by("-year", "unit__code", "-pk")
        if self.whole_tree and len(spanned) == 1 and self.years[spanned[0]] > SORTED_UP_TO:
            ordered = ordered.filter(year=spanned[0])
        else:  # the spanned years are consecutive ones of `years`
            ordered = ordered.filter(year__range=(spanned[-1], spanned[0]))
        ids = list(ordered.values_list("pk", flat=True)[start - before : stop - before])
        # the rows read through the same scoped queryset: an id is only a lookup key here
        found = {v.pk: v for v in self.rows(self.vouchers.filter(pk__in=ids))}
        return [found[pk] for pk in ids if pk in found]


def export_rows(vouchers: QuerySet[Voucher]) -> Iterator[list[object]]:
    """The rows of EXPORT_COLUMNS, read in chunks."""
    rows = (
        vouchers.annotate(files_count=Count("files"))
        .order_by("unit__code", "year", "project__code", "pk")
        .values_list(
            "unit__code",
            "unit__name",
            "year",
            "project__name",
            "students",
            "amount",
            "note",
            "files_count",
            "created_by__display_name",
            "created_by__username",
            "created_at",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        *head, display_name, username, uploaded_at = row
        yield [*head, display_name or username or "", uploaded_at]
