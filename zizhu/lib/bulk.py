"""Fast inserts of many rows: COPY on PostgreSQL, executemany elsewhere.

Model instances cost ~100 µs each to build and Django's bulk_create compiles SQL per small batch;
for 100,000-row lists both dominate. This takes plain tuples in `columns` order.

After a large COPY, PostgreSQL's statistics still describe the table as it was (autovacuum
cannot see rows of an open transaction), so the next statements of the same load, and the
triggers they fire (zizhu/fundreports/rollups.py), would be planned for an empty table:
nested loops over seconds' worth of rows. The table is analysed after such a COPY."""

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
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        # a page cache that holds the indexes: random keys (keyed hashes) otherwise evict
        # index pages and read them back, row after row
        cursor.execute("PRAGMA cache_size")
        (cache,) = cursor.fetchone()
        kib = max(SQLITE_CACHE_KIB, expected * SQLITE_CACHE_BYTES_PER_ROW // 1024)
        cursor.execute(f"PRAGMA cache_size = -{kib}")
        try:
            chunk: list = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= batch:
                    cursor.executemany(sql, chunk)
                    count += len(chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)
                count += len(chunk)
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache)}")
    return count
