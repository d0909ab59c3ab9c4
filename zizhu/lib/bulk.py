"""Fast inserts of many rows: COPY on PostgreSQL, executemany elsewhere.

Model instances cost ~100 µs each to build and Django's bulk_create compiles SQL per small batch;
for 100,000-row lists both dominate. This takes plain tuples in `columns` order.

After a large COPY, PostgreSQL's statistics still describe the table as it was (autovacuum
cannot see rows of an open transaction), so the next statements of the same load, and the
triggers they fire (zizhu/fundreports/rollups.py), would be planned for an empty table:
nested loops over seconds' worth of rows. The table is analysed after such a COPY."""

from itertools import chain, islice

from django.db import connection

ANALYZE_AFTER = 1_000  # rows
SQLITE_CACHE_KIB = 16 * 1024
SQLITE_CACHE_BYTES_PER_ROW = 100  # about a row's entries in three indexes, with page slack


def analyze(model) -> None:
    """Refresh PostgreSQL's statistics of `model`'s table (in the current transaction, so
    its own new rows count); nothing elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def insert_rows(
    model, columns: list[str], rows, batch: int = 5000, expected: int = 0, analyze_after=True
) -> int:
    """Insert `rows` (tuples in `columns` order); returns how many. `expected`: about how
    many rows come (SQLite sizes its page cache for their indexes). `analyze_after=False`:
    the caller runs no statement over the table in the same transaction (autovacuum analyses
    it after the commit), so PostgreSQL's ANALYZE is not needed."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = [model._meta.get_field(c).column for c in columns]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if analyze_after and count >= ANALYZE_AFTER:
                analyze(model)
            return count
        # many rows a statement: a statement per row costs SQLite its setup and the
        # AUTOINCREMENT bookkeeping every time (100,000 list rows: 0.41 -> 0.26 CPU s)
        per = max(1, connection.features.max_query_params // len(names))
        whole = max(per, batch // per * per)
        # a page cache that holds the indexes: random keys (keyed hashes) otherwise evict
        # index pages and read them back, row after row
        cursor.execute("PRAGMA cache_size")
        (cache,) = cursor.fetchone()
        kib = max(SQLITE_CACHE_KIB, expected * SQLITE_CACHE_BYTES_PER_ROW // 1024)
        cursor.execute(f"PRAGMA cache_size = -{kib}")
        try:
            iterator = iter(rows)  # taken `whole` rows at a time in C: no Python loop a row
            while chunk := list(islice(iterator, whole)):
                count += _insert_sqlite(cursor, table, quoted, len(names), chunk, per)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    return count


def insert_columns(model, columns: list[str], batches, analyze_after: bool = True) -> int:
    """`insert_rows` for rows that come a batch at a time column by column: each batch a list
    of `columns`' value lists (the same length). SQLite's statements take their parameters
    from the columns laid out row after row by slice assignment, with no tuple a row (the
    rows go in in the same order, a batch's last statement shorter)."""
    if connection.vendor == "postgresql":
        rows = (row for batch in batches for row in zip(*batch, strict=True))
        return insert_rows(model, columns, rows, analyze_after=analyze_after)
    table = connection.ops.quote_name(model._meta.db_table)
    names = [model._meta.get_field(c).column for c in columns]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    width = len(names)
    per = max(1, connection.features.max_query_params // width)
    count = 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        try:
            for batch in batches:
                if len(batch) != width:
                    raise ValueError(f"{len(batch)} columns, not {width}")
                rows = len(batch[0])
                if any(len(values) != rows for values in batch):
                    raise ValueError("columns of different lengths")
                flat: list = [None] * (rows * width)
                for at, values in enumerate(batch):
                    flat[at::width] = values
                count += _insert_flat(cursor, table, quoted, width, flat, per)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    return count


def _insert_flat(cursor, table: str, quoted: str, width: int, flat: list, per: int) -> int:
    """The rows whose values lie row after row in `flat`, in statements of `per` rows."""
    rows = len(flat) // width
    full = rows // per * per
    if full:
        step = per * width
        groups = [flat[at : at + step] for at in range(0, full * width, step)]
        cursor.executemany(_values_sql(table, quoted, width, per), groups)
    if full < rows:
        cursor.execute(_values_sql(table, quoted, width, rows - full), flat[full * width :])
    return rows


def _values_sql(table: str, quoted: str, width: int, rows: int) -> str:
    values = f"({', '.join(['%s'] * width)})"
    return f"INSERT INTO {table} ({quoted}) VALUES {', '.join([values] * rows)}"  # noqa: S608


def _insert_sqlite(cursor, table: str, quoted: str, width: int, chunk: list, per: int) -> int:
    """`chunk`'s rows in statements of `per` rows (the rest in one shorter statement)."""
    full = len(chunk) // per * per
    if full:
        groups = [list(chain.from_iterable(chunk[at : at + per])) for at in range(0, full, per)]
        cursor.executemany(_values_sql(table, quoted, width, per), groups)
    if full < len(chunk):
        rest = list(chain.from_iterable(chunk[full:]))
        cursor.execute(_values_sql(table, quoted, width, len(chunk) - full), rest)
    return len(chunk)
