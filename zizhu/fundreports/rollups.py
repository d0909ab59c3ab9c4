"""Per-authority totals of school rows, kept by database triggers (ADR 0008).

A country has ~230,000 schools and ~3,300 authorities. The summary of a province or of the
country needs, per child unit, sums over every school below it: summing the school rows
themselves reads ~800,000 balances and ~230,000 vouchers per request. Instead, each school
row is added, by a trigger in the writer's own transaction, into one row per *authority the
school hangs under* (its parent) × year × project: `SchoolBalanceTotal` and
`SchoolPaymentTotal`; and each school is counted under its parent × stage (`SchoolCount`).
A report then reads thousands of rows. The totals are never stale and
no application code writes them, so no write path (services, bulk loaders, COPY, the admin)
can forget them.

PostgreSQL: one statement-level trigger per operation with transition tables, so a bulk
insert updates each total once, in key order (concurrent writers lock totals in one order).
SQLite: row-level triggers with the same statement.

`rollups_rebuild()` recomputes every total from the source rows (set-based);
`rollup_discrepancies()` compares them, and tests and the benchmark require it to be empty.
The triggers do not follow a school or subtree moved to another authority (the totals keep
where a row was added): the unit import announces moves (`units.signals.units_moved`) and
the totals are rebuilt in its transaction.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from zizhu.funds.models import FILED_STATUSES

SCHOOL = "'school'"
# A school's filing that progress counts: an active school of the project's stage, filed
# (zizhu.funds.models.FILED_STATUSES, zizhu.fundreports.progress.expected_condition).
_FILED = ", ".join(f"'{status}'" for status in FILED_STATUSES)
EXPECTED_FILED = (
    "{school}.level = 'school' AND {school}.is_active "
    "AND (j.stage = 'any' OR j.stage = {school}.stage) "
    f"AND {{filing}}.status IN ({_FILED})"
)
LATE = "CASE WHEN {filing}.submitted_at > {deadline}.due_at THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class Source:
    """How the rows of one source table add into a totals table."""

    name: str  # trigger and function name
    table: str
    columns: tuple[str, ...]  # the source columns the statement reads
    joins: str  # joins from the source row `r` to its school `u`
    keys: tuple[str, ...]  # expressions of the totals' key, in `target_keys` order
    values: dict[str, str]  # totals column -> expression summed (times the row's sign)
    target: str
    target_keys: tuple[str, ...]
    where: str = f"u.level = {SCHOOL}"
    # Set on insert, never summed: the authority's path, from its unit `p`.
    fixed: tuple[tuple[str, str], ...] = (("authority_path", "p.path"),)
    # False for a source that only carries changes of a row the totals depend on but do not
    # sum (a school's own fields, a deadline): it is not read to rebuild or check them.
    complete: bool = True


SOURCES = (
    Source(
        name="fundreports_balance_totals",
        table="funds_balance",
        columns=("filing_id", "source_level", "received", "own", "allocated_out"),
        joins=(
            "JOIN funds_filing f ON f.id = r.filing_id JOIN units_unit u ON u.id = f.unit_id "
            "JOIN units_unit p ON p.id = u.parent_id"
        ),
        keys=("u.parent_id", "f.year", "f.project_id", "r.source_level"),
        values={"received": "r.received", "own": "r.own", "allocated_out": "r.allocated_out"},
        target="fundreports_schoolbalancetotal",
        target_keys=("authority_id", "year", "project_id", "source_level"),
    ),
    Source(
        name="fundreports_voucher_totals",
        table="vouchers_voucher",
        columns=("unit_id", "year", "project_id", "amount"),
        joins="JOIN units_unit u ON u.id = r.unit_id JOIN units_unit p ON p.id = u.parent_id",
        keys=("u.parent_id", "r.year", "r.project_id"),
        values={"voucher_amount": "r.amount", "vouchers": "1"},
        target="fundreports_schoolpaymenttotal",
        target_keys=("authority_id", "year", "project_id"),
    ),
    Source(
        name="fundreports_list_totals",
        table="recipients_recipientlist",
        columns=("school_id", "year", "term", "project_id", "status", "total_amount"),
        joins="JOIN units_unit u ON u.id = r.school_id JOIN units_unit p ON p.id = u.parent_id",
        # The lists of funds year Y: spring of school year Y - 1 and autumn of school year Y
        # (summary.recipient_terms).
        keys=(
            "u.parent_id",
            "CASE WHEN r.term = 'spring' THEN r.year + 1 ELSE r.year END",
            "r.project_id",
        ),
        values={"list_amount": "r.total_amount"},
        target="fundreports_schoolpaymenttotal",
        target_keys=("authority_id", "year", "project_id"),
        where=f"u.level = {SCHOOL} AND r.status = 'approved'",
    ),
    # Filed school filings (FILED_STATUSES) of active schools of the project's stage, and the
    # late ones among them (submitted after the deadline the school's parent set): from the
    # filings themselves, and as changes of the schools and of the deadlines they depend on.
    Source(
        name="fundreports_filing_counts",
        table="funds_filing",
        columns=("unit_id", "year", "project_id", "status", "submitted_at"),
        joins=(
            "JOIN units_unit u ON u.id = r.unit_id JOIN units_unit p ON p.id = u.parent_id "
            "JOIN catalogue_aidproject j ON j.id = r.project_id "
            "LEFT JOIN funds_deadline d ON d.unit_id = u.parent_id AND d.year = r.year "
            "AND d.project_id = r.project_id"
        ),
        keys=("u.parent_id", "r.year", "r.project_id"),
        values={"filed": "1", "late": LATE.format(filing="r", deadline="d")},
        target="fundreports_schoolfilingcount",
        target_keys=("authority_id", "year", "project_id"),
        where=EXPECTED_FILED.format(school="u", filing="r"),
    ),
    Source(
        name="fundreports_filing_counts_schools",
        table="units_unit",
        columns=("id", "parent_id", "level", "stage", "is_active"),
        joins=(
            "JOIN funds_filing f ON f.unit_id = r.id JOIN units_unit p ON p.id = r.parent_id "
            "JOIN catalogue_aidproject j ON j.id = f.project_id "
            "LEFT JOIN funds_deadline d ON d.unit_id = r.parent_id AND d.year = f.year "
            "AND d.project_id = f.project_id"
        ),
        keys=("r.parent_id", "f.year", "f.project_id"),
        values={"filed": "1", "late": LATE.format(filing="f", deadline="d")},
        target="fundreports_schoolfilingcount",
        target_keys=("authority_id", "year", "project_id"),
        where=EXPECTED_FILED.format(school="r", filing="f"),
        complete=False,
    ),
    Source(
        name="fundreports_filing_counts_deadlines",
        table="funds_deadline",
        columns=("unit_id", "year", "project_id", "due_at"),
        joins=(
            "JOIN units_unit u ON u.parent_id = r.unit_id JOIN funds_filing f ON "
            "f.unit_id = u.id AND f.year = r.year AND f.project_id = r.project_id "
            "JOIN units_unit p ON p.id = r.unit_id "
            "JOIN catalogue_aidproject j ON j.id = f.project_id"
        ),
        keys=("r.unit_id", "r.year", "r.project_id"),
        values={"filed": "0", "late": LATE.format(filing="f", deadline="r")},
        target="fundreports_schoolfilingcount",
        target_keys=("authority_id", "year", "project_id"),
        where=EXPECTED_FILED.format(school="u", filing="f"),
        complete=False,
    ),
    Source(
        name="fundreports_school_counts",
        table="units_unit",
        columns=("parent_id", "level", "stage", "is_active"),
        # the row is the school itself, as it was (old) or is (new)
        joins="JOIN units_unit p ON p.id = r.parent_id",
        keys=("r.parent_id", "r.stage"),
        values={"schools": "1", "active": "CASE WHEN r.is_active THEN 1 ELSE 0 END"},
        target="fundreports_schoolcount",
        target_keys=("authority_id", "stage"),
        where=f"r.level = {SCHOOL}",
    ),
)


def _key_columns(source: Source) -> tuple[str, ...]:
    """The totals' key columns, then the columns set once per key (the authority's path)."""
    return (*source.target_keys, *(column for column, _expr in source.fixed))


def _select(source: Source, rows: str) -> str:
    """The signed rows `rows` (a subquery with the source columns and `sign`) summed per key
    of the totals, in key order: the key columns (`_key_columns`), then one sum per value."""
    keys = ", ".join((*source.keys, *(expr for _column, expr in source.fixed)))
    positions = ", ".join(str(i + 1) for i in range(len(_key_columns(source))))
    sums = ", ".join(f"SUM(r.sign * {expr})" for expr in source.values.values())
    return (
        f"SELECT {keys}, {sums} FROM ({rows}) r {source.joins} "  # noqa: S608 (model metadata)
        f"WHERE {source.where} GROUP BY {positions} ORDER BY {positions}"
    )


def _upsert(source: Source, rows: str) -> str:
    """Add the signed rows into the totals: one statement, keys locked in order."""
    columns = ", ".join((*_key_columns(source), *source.values))
    updates = ", ".join(f"{c} = {source.target}.{c} + excluded.{c}" for c in source.values)
    return (
        f"INSERT INTO {source.target} ({columns}) {_select(source, rows)} "  # noqa: S608
        f"ON CONFLICT ({', '.join(source.target_keys)}) DO UPDATE SET {updates}"
    )


def _rows(source: Source, table: str, sign: int) -> str:
    columns = ", ".join(f"t.{c}" for c in source.columns)
    return f"SELECT {columns}, {sign} AS sign FROM {table} t"  # noqa: S608


def _row(source: Source, alias: str, sign: int) -> str:
    """SQLite: the one row a row-level trigger sees, as a subquery."""
    columns = ", ".join(f"{alias}.{c} AS {c}" for c in source.columns)
    return f"SELECT {columns}, {sign} AS sign"


def _postgresql(source: Source) -> list[str]:
    inserted, deleted = _rows(source, "new_rows", 1), _rows(source, "old_rows", -1)
    function = f"""
        CREATE OR REPLACE FUNCTION {source.name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_upsert(source, inserted)};
            ELSIF TG_OP = 'DELETE' THEN
                {_upsert(source, deleted)};
            ELSE
                {_upsert(source, f"{inserted} UNION ALL {deleted}")};
            END IF;
            RETURN NULL;
        END $$
    """
    transitions = {
        "INSERT": "NEW TABLE AS new_rows",
        "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "DELETE": "OLD TABLE AS old_rows",
    }
    return [function] + [
        f"CREATE TRIGGER {source.name}_{op.lower()} AFTER {op} ON {source.table} "
        f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {source.name}()"
        for op, tables in transitions.items()
    ]


def _sqlite(source: Source) -> list[str]:
    bodies = {
        "INSERT": [_upsert(source, _row(source, "NEW", 1))],
        "UPDATE": [
            _upsert(source, _row(source, "OLD", -1)),
            _upsert(source, _row(source, "NEW", 1)),
        ],
        "DELETE": [_upsert(source, _row(source, "OLD", -1))],
    }
    return [
        f"CREATE TRIGGER {source.name}_{op.lower()} AFTER {op} ON {source.table} "
        f"FOR EACH ROW BEGIN {'; '.join(body)}; END"
        for op, body in bodies.items()
    ]


def _drop(vendor: str, source: Source) -> list[str]:
    ops = ("insert", "update", "delete")
    if vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {source.name}() CASCADE"]
    return [f"DROP TRIGGER IF EXISTS {source.name}_{op}" for op in ops]


def _trigger_names() -> set[str]:
    ops = ("insert", "update", "delete")
    return {f"{source.name}_{op}" for source in SOURCES for op in ops}


def _installed(using) -> set[str]:
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def rollups_ensure(using=None, *, force: bool = False) -> bool:
    """Install the triggers and rebuild the totals if any trigger is missing (or `force`:
    a migration changing what the totals sum); True if it did.

    Run by the migration and after every `migrate` (apps.py): SQLite drops a table's
    triggers when a migration rebuilds the table, and the totals must not silently stop."""
    using = using or connection
    tables = {s.table for s in SOURCES} | {s.target for s in SOURCES}
    if not tables <= set(using.introspection.table_names()):
        return False  # migrating to a state before the totals exist
    if not force and _trigger_names() <= _installed(using):
        return False
    make = _postgresql if using.vendor == "postgresql" else _sqlite
    with using.cursor() as cursor:
        for source in SOURCES:
            for statement in _drop(using.vendor, source) + make(source):
                cursor.execute(statement)
    rollups_rebuild(using)
    return True


def rollups_uninstall(using=None) -> None:
    using = using or connection
    with using.cursor() as cursor:
        for source in SOURCES:
            for statement in _drop(using.vendor, source):
                cursor.execute(statement)


def rollups_rebuild(using=None) -> None:
    """Recompute every total from the source rows, set-based (after moving schools)."""
    using = using or connection
    with using.cursor() as cursor:
        for target in {s.target for s in SOURCES}:
            cursor.execute(f"DELETE FROM {target}")  # noqa: S608
        for source in SOURCES:
            if source.complete:
                cursor.execute(_upsert(source, _rows(source, source.table, 1)))


def rollup_discrepancies() -> list[tuple]:
    """(table, key, column, stored, recomputed) for every total that differs from a fresh sum
    of its source rows by half a fen or more (the key includes the copied authority path, so
    a stale path shows too); empty when the triggers kept up."""
    found = []
    with connection.cursor() as cursor:
        for source in (s for s in SOURCES if s.complete):
            width, zeros = len(_key_columns(source)), (0,) * len(source.values)
            cursor.execute(_select(source, _rows(source, source.table, 1)))
            fresh = {tuple(row[:width]): row[width:] for row in cursor.fetchall()}
            columns = ", ".join((*_key_columns(source), *source.values))
            cursor.execute(f"SELECT {columns} FROM {source.target}")  # noqa: S608
            stored = {tuple(row[:width]): row[width:] for row in cursor.fetchall()}
            for key in fresh.keys() | stored.keys():
                for i, column in enumerate(source.values):
                    have = Decimal(str(stored.get(key, zeros)[i] or 0))
                    want = Decimal(str(fresh.get(key, zeros)[i] or 0))
                    if abs(have - want) >= Decimal("0.005"):
                        found.append((source.target, key, column, have, want))
    return found
