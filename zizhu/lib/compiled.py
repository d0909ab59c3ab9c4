"""A queryset's SQL compiled once per shape and run with each call's own values.

Building and compiling a queryset with subqueries costs Django a millisecond or more of CPU,
often more than the database spends running it. Where a page runs the same query for every
user with only the user's values changing (a unit, its scope, a year, the time), the query is
compiled once per shape for stand-in values no row has; where those stand-ins went in the
parameters marks where each call's values go. The queryset stays the definition of the
query; the shape must name everything else its SQL depends on (role, lines, a value that is
None or not...); a marked stand-in that does not reach the parameters is refused, and so is a
stand-in that reaches them unmarked (it would run with the stand-in's value).

A small query whose plan does not depend on the values (a user by id, the to-do's counts for a
unit) may also run as a prepared statement on PostgreSQL (`compiled_cursor`)."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.models import QuerySet
from psycopg.postgres import types
from psycopg.pq import Format

# stand-in values no row has: numbers for ids and years, a path, a stage
STAND_IN_IDS = (-987_654_001, -987_654_002, -987_654_003, -987_654_004)
STAND_IN_PATH = "zizhu-stand-in/"
STAND_IN_TEXT = "zizhu-stand-in"
STAND_IN_YEAR = 7919  # no filing has it (and a year's field holds it)
STAND_IN_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)  # the time a compiled query is made for

_SQL: dict[tuple, tuple[str, list, list[str]]] = {}
# per shape of `compiled_values`: the columns' names and what the ORM converts them with
_COLUMNS: dict[tuple, tuple[list[str], dict]] = {}


def prefix(path: str) -> str:
    """A value of `…__startswith` (a scope's condition) as the database receives it."""
    return connection.ops.prep_for_like_query(path) + "%"


def moment(value: datetime):
    """A date-time as the database receives it (SQLite's is text)."""
    return connection.ops.adapt_datetimefield_value(value)


def index_steps(table: str, column: str) -> str:
    """A recursive CTE `"candidate"("value")` of the distinct values of `table`'s `column`,
    smallest first, each found by one step down the column's index (the least value above the
    last one), not by reading every row; its last value is NULL. For `WITH RECURSIVE
    {index_steps(...)} SELECT "value" FROM "candidate" WHERE "value" IS NOT NULL AND …`, where
    the condition asks each candidate of the rows the caller means."""
    # only the model's table and column names are written into the SQL
    t, c = connection.ops.quote_name(table), connection.ops.quote_name(column)
    first = f"SELECT MIN({c}) FROM {t}"  # noqa: S608
    following = f'SELECT MIN({c}) FROM {t} WHERE {c} > "candidate"."value"'  # noqa: S608
    step = f'SELECT ({following}) FROM "candidate" WHERE "candidate"."value" IS NOT NULL'  # noqa: S608
    return f'"candidate"("value") AS ({first} UNION ALL {step})'


def compiled(
    shape: tuple, build: Callable[[], QuerySet], marks: dict, values: dict
) -> tuple[str, list]:
    """The SQL of `build()` and its parameters with `values` in place of the stand-ins.
    `build` makes the queryset for stand-in values; `marks` maps each stand-in, as the
    database receives it, to its name in `values` (each must appear in the SQL)."""
    return compiled_sql(shape, lambda: build().query.sql_with_params(), marks, values)


def compiled_sql(
    shape: tuple, build: Callable[[], tuple[str, Sequence]], marks: dict, values: dict
) -> tuple[str, list]:
    """`compiled` for SQL composed of querysets' SQL: `build` gives the SQL and parameters for
    the stand-in values."""
    key = (connection.vendor, *shape)
    found = _SQL.get(key)
    if found is None:
        sql, params = build()
        slots = [marks.get(p, "") if isinstance(p, int | str | datetime) else "" for p in params]
        missing = set(marks.values()) - set(slots)
        if missing:
            raise RuntimeError(f"the query has no place for {sorted(missing)}: {sql}")
        stray = [p for p, slot in zip(params, slots, strict=True) if not slot and _stand_in(p)]
        if stray:
            raise RuntimeError(f"stand-ins without a mark {stray}: {sql}")
        found = _SQL[key] = (sql, list(params), slots)
    sql, params, slots = found
    return sql, [values[slot] if slot else p for p, slot in zip(params, slots, strict=True)]


def compiled_values(
    shape: tuple, build: Callable[[], QuerySet], marks: dict, values: dict
) -> list[dict]:
    """The rows of `build()`, a `.values()` queryset, as `compiled` runs it: dicts of the
    ORM's own names and values (its converters applied: SQLite's decimals, dates, flags)."""
    sql, params = compiled(shape, build, marks, values)
    key = (connection.vendor, *shape)
    found = _COLUMNS.get(key)
    if found is None:
        query = build().query
        compiler = query.get_compiler(connection=connection)
        compiler.setup_query()
        # the columns' names in the order of the SELECT, as Django's ValuesIterable reads them
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        if len(names) != len(compiler.select):
            raise RuntimeError(f"not a .values() query: {sql}")
        columns = [column for column, _sql, _alias in compiler.select]
        found = _COLUMNS[key] = (names, compiler.get_converters(columns))
    names, converters = found
    rows = fetched(sql, params, prepared=False)
    if converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for at, (functions, expression) in converters.items():  # as SQLCompiler does
                for function in functions:
                    row[at] = function(row[at], expression, connection)
    return [dict(zip(names, row, strict=True)) for row in rows]


def compiled_rows(shape: tuple, build: Callable[[], QuerySet], marks: dict, values: dict) -> list:
    """The rows (tuples) of `compiled`'s query, run as a prepared statement (`compiled_cursor`):
    for a small query whose plan does not depend on the values."""
    return fetched(*compiled(shape, build, marks, values), prepared=True)


def fetched(sql: str, params: list, *, prepared: bool) -> list:
    """The rows of `sql`: through `compiled_cursor` when `prepared`, else Django's cursor."""
    with compiled_cursor() if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def compiled_cursor() -> Iterator:
    """Django's cursor (its health check, query log, execute wrappers and errors), which on
    PostgreSQL prepares each statement it runs, once per connection (psycopg keeps them; its
    server-side binding cursor, where Django's own binds values on the client). PostgreSQL
    then parses the statement once and, after five runs, plans it once too when a generic
    plan costs no more than the plans made for the values (`plan_cache_mode` auto). That
    planning cost the server more than running a small query, and a page runs some of them
    on every request. For small queries only: a generic plan of a grouped report query over
    a path's subtree was seen to run twice as long as the plan made for its values."""
    with connection.cursor() as wrapper:
        if connection.vendor != "postgresql":
            yield wrapper
            return
        plain = wrapper.cursor
        wrapper.cursor = _prepared_cursor(plain)
        try:
            yield wrapper
        finally:
            wrapper.cursor.close()
            wrapper.cursor = plain


class _Prepared(psycopg.Cursor):
    """psycopg's server-side binding cursor, preparing every statement it executes."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)

    def _send_query_prepared(self, name, pgq, *, binary=None):
        # psycopg keeps the query it sent only when it sends it whole; Django's query log
        # (`last_executed_query`) reads it
        self._query = pgq
        return super()._send_query_prepared(name, pgq, binary=binary)


def _prepared_cursor(plain) -> _Prepared:
    """A cursor on `plain`'s connection with the time zone's loader Django gives its own."""
    prepared = _Prepared(plain.connection)
    loader = plain.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, prepared)
    return prepared


def fields_of(model) -> list[str]:
    """Every column of `model`, in the model's order: the `.values()` of a query whose rows
    `instances` makes into objects."""
    return [field.attname for field in model._meta.concrete_fields]


def instances(model, rows: list[dict]) -> list:
    """`compiled_values` rows of `.values(*fields_of(model))` as instances of `model`, made as
    the ORM makes them (`Model.from_db`)."""
    fields = fields_of(model)
    return [model.from_db(connection.alias, fields, [row[f] for f in fields]) for row in rows]


def _stand_in(value) -> bool:
    if isinstance(value, str):
        return STAND_IN_TEXT in value
    return isinstance(value, int) and (value in STAND_IN_IDS or value == STAND_IN_YEAR)
