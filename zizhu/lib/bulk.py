"""Fast inserts of many rows: COPY on PostgreSQL, executemany elsewhere.

Model instances cost ~100 µs each to build and Django's bulk_create compiles SQL per small batch;
for 100,000-row lists both dominate. This takes plain tuples in `columns` order, or batches
of rows as Arrow tables.

After a large COPY, PostgreSQL's statistics still describe the table as it was (autovacuum
cannot see rows of an open transaction), so the next statements of the same load, and the
triggers they fire (zizhu/fundreports/rollups.py), would be planned for an empty table:
nested loops over seconds' worth of rows. The table is analysed after such a COPY."""

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, partial
from itertools import chain, islice
from queue import Queue

import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection
from psycopg.abc import Buffer
from psycopg.copy import LibpqWriter

from zizhu.lib.ahead import made_ahead

ANALYZE_AFTER = 1_000  # rows
SQLITE_CACHE_KIB = 16 * 1024
SQLITE_CACHE_BYTES_PER_ROW = 100  # about a row's entries in three indexes, with page slack
SQLITE_VARIABLES = 32766  # parameters a statement at most (SQLite's default limit)


def analyze(model) -> None:
    """Refresh PostgreSQL's statistics of `model`'s table (in the current transaction, so
    its own new rows count); nothing elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _table_and_columns(model, columns: list[str]) -> tuple[str, str]:
    """`model`'s table and the database columns of its `columns` fields, quoted for SQL."""
    names = [model._meta.get_field(c).column for c in columns]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    return connection.ops.quote_name(model._meta.db_table), quoted


def insert_rows(
    model, columns: list[str], rows, batch: int = 5000, expected: int = 0, analyze_after=True
) -> int:
    """Insert `rows` (tuples in `columns` order); returns how many. `expected`: about how
    many rows come (SQLite sizes its page cache for their indexes). `analyze_after=False`:
    the caller runs no statement over the table in the same transaction (autovacuum analyses
    it after the commit), so PostgreSQL's ANALYZE is not needed."""
    table, quoted = _table_and_columns(model, columns)
    if connection.vendor == "postgresql":
        count = 0
        copying = f"COPY {table} ({quoted}) FROM STDIN"  # noqa: S608
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,  # Django's IntegrityError, not psycopg's
            cursor.copy(copying) as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        if analyze_after and count >= ANALYZE_AFTER:
            analyze(model)
        return count
    width, per = len(columns), _sqlite_rows_a_statement(len(columns))
    whole = max(per, batch // per * per)
    iterator = iter(rows)  # taken `whole` rows at a time in C: no Python loop a row
    chunks = iter(lambda: list(islice(iterator, whole)), [])
    statements = (_statements(list(chain.from_iterable(c)), width, per) for c in chunks)
    kib = max(SQLITE_CACHE_KIB, expected * SQLITE_CACHE_BYTES_PER_ROW // 1024)
    return _insert_sqlite(table, quoted, width, per, statements, kib)


def insert_tables(model, columns: list[str], tables, analyze_after: bool = True) -> int:
    """`insert_rows` for rows that come a batch at a time as Arrow tables (their columns in
    `columns` order: text, integers, nulls). Each batch is made in a thread of its own
    (zizhu.lib.ahead: `tables` must touch no database) while this one sends the batch before.
    The rows go in in the same order.

    PostgreSQL: one COPY (`copy_tables`), no Python object a value; the server inserts a
    batch while the next is made. SQLite: the batches' values as Python lists, laid out as
    multi-row INSERTs (SQLite steps them without the GIL)."""
    if connection.vendor == "postgresql":
        count = 0
        with copy_tables(model, columns) as write, made_ahead(tables) as ready:
            for batch in ready:
                write(batch)
                count += batch.num_rows
        if analyze_after and count >= ANALYZE_AFTER:
            analyze(model)
        return count
    table, quoted = _table_and_columns(model, columns)
    width, per = len(columns), _sqlite_rows_a_statement(len(columns))
    laid_out = (_statements(_row_after_row(batch, width), width, per) for batch in tables)
    with made_ahead(laid_out) as statements:
        return _insert_sqlite(table, quoted, width, per, statements, SQLITE_CACHE_KIB)


@contextmanager
def copy_tables(model, columns: list[str]) -> Iterator[Callable[[pa.Table], None]]:
    """PostgreSQL: a COPY into `model`'s table, open while inside. The function it gives
    takes an Arrow table (its columns in `columns` order), writes it as CSV (Arrow's text,
    quoted, is text; an empty field is null) and queues it: a thread of its own sends it
    while the caller goes on (`_QueuedWriter`). The connection runs no other statement
    meanwhile. A row the server refuses raises Django's IntegrityError when the COPY ends
    (libpq reads the server's error only then); a failure to send raises Django's error at
    the next write."""
    table, quoted = _table_and_columns(model, columns)
    options = pacsv.WriteOptions(include_header=False)
    copying = f"COPY {table} ({quoted}) FROM STDIN (FORMAT csv)"  # noqa: S608
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,  # Django's IntegrityError, not psycopg's
        cursor.copy(copying, writer=_QueuedWriter(cursor.cursor)) as copy,
    ):

        def write(batch: pa.Table) -> None:
            sink = pa.BufferOutputStream()
            pacsv.write_csv(batch, sink, options)
            with connection.wrap_database_errors:
                copy.write(sink.getvalue())

        yield write


class _QueuedWriter(LibpqWriter):
    """psycopg's writer of COPY data, sending from a thread of its own with at most `depth`
    buffers waiting. psycopg's own QueuedLibpqWriter waits for up to 1,024 pieces (128 MB):
    where the server is the slower, as it is for a big list, the queue then holds most of
    the file (a 1,000,000-row list's peak ~75 MB higher)."""

    def __init__(self, cursor, depth: int = 2) -> None:
        super().__init__(cursor)
        self._waiting: Queue[Buffer | None] = Queue(maxsize=depth)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _send(self) -> None:
        try:
            while (data := self._waiting.get()) is not None:
                super().write(data)
        except BaseException as error:  # raised in the caller, at its next write or the end
            self._error = error
            while self._waiting.get() is not None:  # the caller never waits on a full queue
                pass

    def write(self, data: Buffer) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._send, name="copy-writer", daemon=True)
            self._thread.start()
        if self._error is not None:
            raise self._error
        self._waiting.put(data)

    def finish(self, exc: BaseException | None = None) -> None:
        if self._thread is not None:
            self._waiting.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        # the server logs why a COPY was abandoned: the error's kind, not its text (which may
        # quote a row)
        super().finish(RuntimeError(type(exc).__name__) if exc else None)


def _sqlite_rows_a_statement(width: int) -> int:
    """Rows of `width` values a statement takes: SQLite's own limit of parameters (32766
    since 3.32), not the 999 Django assumes. Each statement gives up the GIL while SQLite
    steps it, and while another thread is busy in Python, getting it back takes up to 5 ms
    (the switch interval): 100,000 rows against a thread looping in Python took 9 s at 76
    rows a statement, 0.6 s at 2,520 (0.3 s alone, either way)."""
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, max(connection.features.max_query_params, min(limit, SQLITE_VARIABLES)) // width)


def _row_after_row(batch: pa.Table, width: int) -> list:
    """A batch's columns as one list of their values row after row, by slice assignment (no
    tuple a row)."""
    if batch.num_columns != width:
        raise ValueError(f"{batch.num_columns} columns, not {width}")
    flat: list = [None] * (batch.num_rows * width)
    for at, values in enumerate(batch.columns):
        flat[at::width] = values.to_pylist()
    return flat


def _statements(flat: list, width: int, per: int) -> tuple[int, list[list], list]:
    """Rows whose values lie row after row in `flat`, as the parameters of statements of `per`
    rows: how many rows, the whole statements and the rest."""
    rows = len(flat) // width
    full = rows // per * per
    step = per * width
    groups = [flat[at : at + step] for at in range(0, full * width, step)]
    return rows, groups, flat[full * width :]


def _insert_sqlite(
    table: str, quoted: str, width: int, per: int, statements, cache_kib: int
) -> int:
    """Run `statements` (from `_statements`) on SQLite's own cursor, with its "?": Django's
    would rewrite each 100 KB statement's "%s" with a regex every time (0.15 s a 100,000-row
    list); its errors are still Django's. A page cache of `cache_kib` holds the indexes
    meanwhile: random keys (keyed hashes) otherwise evict index pages and read them back,
    row after row."""
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{cache_kib}")
        try:
            raw, sql = connection.connection.cursor(), lru_cache(partial(_sql, table, quoted))
            with connection.wrap_database_errors:
                for rows, groups, rest in statements:
                    if groups:
                        raw.executemany(sql(width, per), groups)
                    if rest:
                        raw.execute(sql(width, len(rest) // width), rest)
                    count += rows
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    return count


def _sql(table: str, quoted: str, width: int, rows: int) -> str:
    values = f"({', '.join(['?'] * width)})"
    return f"INSERT INTO {table} ({quoted}) VALUES {', '.join([values] * rows)}"  # noqa: S608
