"""Reads of payment vouchers. `vouchers_for` is the scoped entry point; the totals take
querysets the caller already reached through zizhu.access."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.db.models import Count, DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.utils.translation import gettext_lazy as _

from zizhu.access import Action, scoped
from zizhu.catalogue.models import AidProject
from zizhu.lib.exports import AMOUNT as AMOUNT_COLUMN
from zizhu.lib.exports import CODE, DATETIME, INTEGER, YEAR, Column
from zizhu.units.models import Unit
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


class ChildSums(Sums):
    child: str  # the code of a child unit


def _sums(queryset: QuerySet[Voucher, Any]) -> QuerySet[Voucher, Any]:
    """`queryset`'s rows (of values()) with the Sums of their vouchers."""
    return queryset.annotate(
        count=Count("id"),
        students_total=Coalesce(Sum("students"), 0),
        amount_total=Coalesce(Sum("amount"), Value(ZERO), output_field=AMOUNT),
    )


def voucher_totals(
    units: QuerySet[Unit], year: int | None = None, project: AidProject | None = None
) -> QuerySet[Voucher, SchoolSums]:
    """Per school of `units`: the number of vouchers, students aided and amount paid
    (财务支付总金额), one query. Rows are dicts with `unit`, `unit__code`, `unit__name`,
    `count`, `students_total`, `amount_total`; schools without vouchers are absent.

    SQLite computes sums of decimals in binary floating point and Django does not quantize
    aggregates there: pass `amount_total` through `yuan()` before showing or comparing it."""
    vouchers = filtered(Voucher.objects.filter(unit__in=units), year=year, project=project)
    rows = vouchers.order_by("unit__code").values("unit", "unit__code", "unit__name")
    return _sums(rows)


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


def totals_by_child(unit: Unit, vouchers: QuerySet[Voucher]) -> list[ChildTotals]:
    """Each child unit of `unit` with the totals of the vouchers below it: two queries, the
    children and one grouped by the child's code cut out of the school's path."""
    children = list(unit.children.order_by("level", "code"))
    offset = len(unit.path) + 1
    rest = Substr("unit__path", offset)
    rows = _sums(
        vouchers.filter(unit__path__startswith=unit.path)
        .exclude(unit=unit)
        .annotate(child=Substr("unit__path", offset, StrIndex(rest, Value("/")) - 1))
        .order_by()
        .values("child")
    )
    per_child: dict[str, ChildSums] = {row["child"]: row for row in rows}
    return [ChildTotals(child, per_child.get(child.code)) for child in children]


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
