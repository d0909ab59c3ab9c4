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


def _insert_sqlite(cursor, table: str, quoted: str, width: int, chunk: list, per: int) -> int:
    """`chunk`'s rows in statements of `per` rows (the rest in one shorter statement)."""

    def sql(rows: int) -> str:
        values = f"({', '.join(['%s'] * width)})"
        return f"INSERT INTO {table} ({quoted}) VALUES {', '.join([values] * rows)}"  # noqa: S608

    full = len(chunk) // per * per
    if full:
        groups = [list(chain.from_iterable(chunk[at : at + per])) for at in range(0, full, per)]
        cursor.executemany(sql(per), groups)
    if full < len(chunk):
        cursor.execute(sql(len(chunk) - full), list(chain.from_iterable(chunk[full:])))
    return len(chunk)
