"""The one place that locks, reads for writing and checks `Balance` rows.

Every write to a balance happens inside a transaction that first locks, with
`select_for_update`, all balance rows of every filing it touches, in primary-key order. One
order for every writer means two allocations can wait for each other but never deadlock.
The DB CHECK constraints on `Balance` back the same invariants if a bug slips past.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from zizhu.funds.models import OWN_LEVEL, ZERO, Allocation, Balance, Filing, SourceLevel
from zizhu.units.models import Unit

LEVELS: tuple[str, ...] = tuple(SourceLevel.values)


class Balances(dict[tuple[int, str], Balance]):
    """Locked balance rows keyed by (filing id, source level)."""

    def of(self, filing: Filing, level: str) -> Balance:
        return self[(filing.pk, level)]


def balances_create(filing: Filing, *, own: Decimal = ZERO) -> None:
    """The four balance rows of a new filing; `own` goes on the unit's own level."""
    own_level = filing.own_level
    Balance.objects.bulk_create(
        Balance(filing=filing, source_level=level, own=own if level == own_level else ZERO)
        for level in LEVELS
    )


def balances_lock(filings: Iterable[Filing]) -> Balances:
    """Lock all balance rows of `filings`, in primary-key order; only inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("balances_lock needs a transaction")
    ids = sorted({f.pk for f in filings})
    rows = Balance.objects.select_for_update(of=("self",)).filter(filing_id__in=ids).order_by("pk")
    locked = Balances(((b.filing_id, b.source_level), b) for b in rows)
    if len(locked) != len(ids) * len(LEVELS):
        raise RuntimeError(f"filings {ids} lack balance rows")
    return locked


def balances_save(balances: Iterable[Balance]) -> None:
    Balance.objects.bulk_update(list(balances), ["received", "allocated_out", "own"])


@dataclass(frozen=True)
class Discrepancy:
    balance_id: int
    filing_id: int
    source_level: str
    received: Decimal
    allocated_out: Decimal
    own: Decimal
    received_by_allocations: Decimal
    allocated_by_allocations: Decimal
    own_by_filing: Decimal


def _amount_of_level(alias: str) -> str:
    whens = " ".join(f"WHEN '{level}' THEN {alias}.{level}" for level in LEVELS)
    return f"CASE b.source_level {whens} END"


def _own_of_level() -> str:
    whens = " ".join(
        f"WHEN u.level = '{unit_level}' AND b.source_level = '{level}' THEN f.own_funds"
        for unit_level, level in OWN_LEVEL.items()
    )
    return f"CASE {whens} ELSE 0 END"


def _discrepancies_sql() -> str:
    a, f, b, u = (
        Allocation._meta.db_table,
        Filing._meta.db_table,
        Balance._meta.db_table,
        Unit._meta.db_table,
    )
    # Built from model metadata and choice values only, never from input. Differences below
    # half a fen count as equal: SQLite sums decimals as floats.
    return f"""
        SELECT * FROM (
            SELECT b.id, b.filing_id, b.source_level, b.received, b.allocated_out, b.own,
                COALESCE((SELECT SUM({_amount_of_level("a")}) FROM {a} a
                          WHERE a.to_filing_id = b.filing_id), 0) AS received_by_allocations,
                COALESCE((SELECT SUM({_amount_of_level("a")}) FROM {a} a
                          WHERE a.from_filing_id = b.filing_id), 0) AS allocated_by_allocations,
                {_own_of_level()} AS own_by_filing
            FROM {b} b
            JOIN {f} f ON f.id = b.filing_id
            JOIN {u} u ON u.id = f.unit_id
        ) t
        WHERE ABS(t.received - t.received_by_allocations) >= 0.005
           OR ABS(t.allocated_out - t.allocated_by_allocations) >= 0.005
           OR ABS(t.own - t.own_by_filing) >= 0.005
           OR t.allocated_out - t.received - t.own >= 0.005
        ORDER BY t.id
    """  # noqa: S608


def ledger_discrepancies() -> list[Discrepancy]:
    """Balance rows that disagree with the allocations and filings they summarise, in one query.

    A row is reported when its `received` differs from the sum of incoming allocations of its
    level, its `allocated_out` from the sum of outgoing ones, its `own` from the filing's own
    funds (own level) or zero (other levels), or when it is overdrawn. Empty when the books
    balance.
    """
    with connection.cursor() as cursor:
        cursor.execute(_discrepancies_sql())
        rows = cursor.fetchall()

    def money(value: object) -> Decimal:
        return Decimal(str(value)).quantize(Decimal("0.01"))

    return [Discrepancy(row[0], row[1], row[2], *(money(v) for v in row[3:])) for row in rows]
