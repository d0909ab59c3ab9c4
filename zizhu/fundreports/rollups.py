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

A deletion subtracts only while its totals table holds rows: a flush or a cleanup may empty
the totals before the rows they sum. Each migration that installs triggers runs the SQL it
froze (`frozen_sql`, migrations/sql/), never this module's, which may have changed since.
"""

from decimal import Decimal

from django.db import connection

from zizhu.fundreports.rollups_sources import SOURCES, Source


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


def _if_totals(source: Source) -> str:
    """A deletion subtracts only while the totals table holds rows: once a flush or a cleanup
    has emptied it, deleting the rows it summed must not add negative totals (for units
    that may be deleted next)."""
    return f"EXISTS (SELECT 1 FROM {source.target})"  # noqa: S608


def _postgresql(source: Source) -> list[str]:
    inserted, deleted = _rows(source, "new_rows", 1), _rows(source, "old_rows", -1)
    function = f"""
        CREATE OR REPLACE FUNCTION {source.name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_upsert(source, inserted)};
            ELSIF TG_OP = 'DELETE' THEN
                IF {_if_totals(source)} THEN
                    {_upsert(source, deleted)};
                END IF;
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
        "INSERT": ("", [_upsert(source, _row(source, "NEW", 1))]),
        "UPDATE": (
            "",
            [_upsert(source, _row(source, "OLD", -1)), _upsert(source, _row(source, "NEW", 1))],
        ),
        "DELETE": (f"WHEN {_if_totals(source)} ", [_upsert(source, _row(source, "OLD", -1))]),
    }
    return [
        f"CREATE TRIGGER {source.name}_{op.lower()} AFTER {op} ON {source.table} "
        f"FOR EACH ROW {when}BEGIN {'; '.join(body)}; END"
        for op, (when, body) in bodies.items()
    ]


def _drop(vendor: str, source: Source) -> list[str]:
    ops = ("insert", "update", "delete")
    if vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {source.name}() CASCADE"]
    return [f"DROP TRIGGER IF EXISTS {source.name}_{op}" for op in ops]


def _one_line(statement: str) -> str:
    # The generated SQL has no comments and no literal holding two spaces or a line break.
    return " ".join(statement.split())


def trigger_statements(vendor: str) -> list[str]:
    """(Re)install every trigger: drop if present, create."""
    make = _postgresql if vendor == "postgresql" else _sqlite
    return [_one_line(sql) for s in SOURCES for sql in _drop(vendor, s) + make(s)]


def rebuild_statements() -> list[str]:
    """Empty the totals and sum every source row into them again, set-based."""
    empty = [f"DELETE FROM {target}" for target in sorted({s.target for s in SOURCES})]  # noqa: S608
    sums = [_upsert(s, _rows(s, s.table, 1)) for s in SOURCES if s.complete]
    return empty + [_one_line(sql) for sql in sums]


def drop_statements(vendor: str) -> list[str]:
    return [sql for source in SOURCES for sql in _drop(vendor, source)]


def frozen_sql(vendor: str) -> str:
    """The text a migration freezes (migrations/sql/<name>.<vendor>.sql, read by
    migrations/_frozen.py): sections of one statement per line."""
    sections = {
        "triggers": trigger_statements(vendor),
        "rebuild": rebuild_statements(),
        "drop": drop_statements(vendor),
    }
    return "".join(
        f"-- {name}\n" + "".join(f"{sql}\n" for sql in statements)
        for name, statements in sections.items()
    )


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
    """Install the triggers and rebuild the totals if any trigger is missing (or `force`);
    True if it did.

    Run after every `migrate` (apps.py): SQLite drops a table's triggers when a migration
    rebuilds the table, and the totals must not silently stop. The migrations themselves run
    the SQL they froze (migrations/sql/), which is this module's for the latest of them
    (tests/fundreports/test_rollup_migrations.py)."""
    using = using or connection
    tables = {s.table for s in SOURCES} | {s.target for s in SOURCES}
    if not tables <= set(using.introspection.table_names()):
        return False  # migrating to a state before the totals exist
    if not force and _trigger_names() <= _installed(using):
        return False
    with using.cursor() as cursor:
        for statement in trigger_statements(using.vendor):
            cursor.execute(statement)
    rollups_rebuild(using)
    return True


def rollups_uninstall(using=None) -> None:
    using = using or connection
    with using.cursor() as cursor:
        for statement in drop_statements(using.vendor):
            cursor.execute(statement)


def rollups_rebuild(using=None) -> None:
    """Recompute every total from the source rows, set-based (after moving schools)."""
    using = using or connection
    with using.cursor() as cursor:
        for statement in rebuild_statements():
            cursor.execute(statement)


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
