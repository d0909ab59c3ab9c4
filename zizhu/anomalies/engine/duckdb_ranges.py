"""The DuckDB run of a large month, a range of keys at a time (docs/adr/0020, "Fourth pass").

Every join of the duplicate and age checks is on `pid`, so the findings of the subjects whose
`pid` lies in a range come from the rows of that range alone; the shared-phone check's
`phone_persons` is one aggregate on `phone_key`, so it is counted a range of phones at a time
first. Each range reads only its rows where the store is bucketed (docs/analytics-store.md,
"Buckets": the files' statistics say which files hold the range, and the phone side files hold
the rows with a phone by bucket of phone) and every row otherwise, filtered: the same findings
either way. The SQL is `checks`, unchanged: each range registers the input views over its rows and
runs the same texts.

The ranges are few and fixed (a power of two up to `buckets.COUNT`); two run at once, each on
one DuckDB thread, so a range's hash tables stay small and the peak stays flat as the data
grows.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa

from zizhu.store import buckets

from . import checks
from .inputs import Inputs, Source
from .rules import rules_table
from .views import register_view

# About this much Parquet (the rows' files) per range: a province's month (~170 MB) runs whole
# (in 1, 2 or 4 ranges it cost the same), the national month (~5.2 GB) in 32 ranges (the
# cheapest of 8, 16 and 32), twice national in 64: the same rows a range, so the same peak.
RANGE_BYTES = 192 * 2**20
# The columns of the phone side files (buckets.PHONE_SCHEMAS), by input view.
_PHONE_COLUMNS = {
    "lists_term": ("phone_key", "pid", "stage", "programme"),
    "enrolment_senior_high": ("phone_key", "pid"),
    "enrolment_compulsory": ("phone_key", "pid"),
    "enrolment_vocational": ("phone_key", "pid"),
}

Arrow = Callable[[duckdb.DuckDBPyRelation], pa.Table]


def ranges_for(inputs: Inputs, spans: Callable[[], "Spans"]) -> int:
    """How many key ranges a run of `inputs` takes: 1 (the whole month at once) for a small
    month or one whose files are not bucketed, more as the files of a bucketed month grow.
    `spans()` (key_spans) is asked only of a month large enough for more than one range: a
    province's month runs whole without reading its files' footers (~0.2 s of its ~0.8 s)."""
    size = sum(source.bytes for source in inputs.sources)
    count = 1
    while count < buckets.COUNT and size > count * RANGE_BYTES:
        count *= 2
    if count == 1 or not bucketed(inputs, spans()):
        return 1
    return count


def bucketed(inputs: Inputs, spans: "Spans") -> bool:
    """Whether every file of `inputs` holds the keys of one bucket (or no row), and every input
    with a phone has its side files: a month written otherwise (before the store was bucketed,
    or by another tool) would be read whole for every range, so it runs whole."""
    for source in inputs.sources:
        for file in (*source.files, *source.phones):
            span = spans.get(file)
            if span is EMPTY:
                continue
            if span is None:
                return False
            first, last = buckets.of(np.array(span, np.int64))
            if first != last:
                return False
        rows = any(spans.get(file) is not EMPTY for file in source.files)
        if source.view in _PHONE_COLUMNS and rows and not source.phones:
            return False
    return True


def run_ranges(
    con: duckdb.DuckDBPyConnection,
    inputs: Inputs,
    count: int,
    parallel: int,
    arrow: Arrow,
    spans: "Spans",
) -> pa.Table:
    """The unordered findings (checks.FINDINGS_UNORDERED) of `inputs`, `count` ranges of keys
    (a power of two ≤ buckets.COUNT), `parallel` of them at a time; `spans` from key_spans."""
    if count < 1 or count > buckets.COUNT or count & (count - 1):
        raise ValueError(f"ranges must be a power of two from 1 to {buckets.COUNT}, not {count}")
    step = buckets.COUNT // count
    bounds = [buckets.key_range(first, first + step) for first in range(0, buckets.COUNT, step)]
    sources = {source.view: source for source in inputs.sources}

    def phones(bound: tuple[int | None, int | None]) -> pa.Table:
        with con.cursor() as cursor:  # temp views are a cursor's own
            for view in _PHONE_COLUMNS:
                _register(cursor, sources[view], bound, spans, by_phone=True)
            cursor.execute(f"CREATE TEMP VIEW subject_rows AS {checks.SUBJECT_ROWS}")
            cursor.execute(f"CREATE TEMP VIEW student_phones AS {checks.STUDENT_PHONES}")
            return arrow(cursor.sql(checks.PHONE_PERSONS))

    params = pa.table(
        {"school_year": [inputs.school_year], "reference_date": [inputs.reference_date]},
        schema=pa.schema([("school_year", pa.int32()), ("reference_date", pa.date32())]),
    )

    def findings(bound: tuple[int | None, int | None], phone_persons: pa.Table) -> pa.Table:
        with con.cursor() as cursor:  # temp views are a cursor's own
            for source in sources.values():
                _register(cursor, source, bound, spans, by_phone=False)
            cursor.register("rules", rules_table())
            cursor.register("params", params)
            cursor.register("phone_persons", phone_persons)
            for name, sql, _ in checks.VIEWS:
                if name != "phone_persons":
                    cursor.execute(f"CREATE TEMP VIEW {name} AS {sql}")
            cursor.execute(f"CREATE TEMP TABLE found AS {checks.FOUND}")
            return arrow(cursor.sql(checks.FINDINGS_UNORDERED))

    with ThreadPoolExecutor(parallel) as pool:
        phone_persons = pa.concat_tables(pool.map(phones, bounds))
        return pa.concat_tables(pool.map(lambda b: findings(b, phone_persons), bounds))


# The smallest and largest key of a file; None: unknown (no statistics); EMPTY: no row.
Span = tuple[int, int] | None
EMPTY: Span = (1, 0)
Spans = dict[str, Span]


def key_spans(con: duckdb.DuckDBPyConnection, inputs: Inputs) -> Spans:
    """The span of `pid` of every rows' file of `inputs` and of `phone_key` of every side
    file, from the footers (read once for the run, before the ranges)."""
    return _spans(con, [f for s in inputs.sources for f in s.files], "pid") | _spans(
        con, [f for s in inputs.sources for f in s.phones], "phone_key"
    )


def _spans(con: duckdb.DuckDBPyConnection, files: list[str], key: str) -> Spans:
    if not files:
        return {}
    spans: Spans = dict.fromkeys(files)
    rows = con.execute(
        "SELECT file_name, MIN(TRY_CAST(stats_min_value AS BIGINT)), "
        "MAX(TRY_CAST(stats_max_value AS BIGINT)), "
        "BOOL_OR(stats_min_value IS NULL OR stats_max_value IS NULL) "
        "FROM parquet_metadata(?) WHERE path_in_schema = ? GROUP BY file_name",
        [files, key],
    ).fetchall()
    spans.update((name, None if unknown else (low, high)) for name, low, high, unknown in rows)
    # last: a file without rows may still have a row group, of none, without statistics
    empty = con.execute(
        "SELECT file_name FROM parquet_file_metadata(?) WHERE num_rows = 0", [files]
    ).fetchall()
    spans.update((name, EMPTY) for (name,) in empty)
    return spans


def _overlapping(
    files: tuple[str, ...], spans: Spans, bound: tuple[int | None, int | None]
) -> tuple[str, ...]:
    """The files that may hold keys of `bound`: a file whose statistics say it holds none of
    them is not read at all (opening every file of a partition for every range costs more than
    the range's rows, measured on twice national). A file without statistics is read."""
    low, high = bound
    kept = []
    for file in files:
        span = spans.get(file)
        if span is EMPTY:
            continue
        if span is not None:
            smallest, largest = span
            if (low is not None and largest < low) or (high is not None and smallest >= high):
                continue
        kept.append(file)
    return tuple(kept)


def _register(
    cursor: duckdb.DuckDBPyConnection,
    source: Source,
    bound: tuple[int | None, int | None],
    spans: Spans,
    *,
    by_phone: bool,
) -> None:
    """The input view `source.view` over the rows of one key range: of `pid`, or, `by_phone`,
    of `phone_key` (from the side files where they were written, with the columns they lack as
    nulls: the phones' step reads only the phone, the person and the subject's columns)."""
    key = "phone_key" if by_phone else "pid"
    files, kept = source.files, None
    if by_phone and source.phones:
        files, kept = source.phones, _PHONE_COLUMNS[source.view]
    if source.phones or not by_phone:  # the files' spans are of this range's key
        files = _overlapping(files, spans, bound)
    low, high = bound
    conditions = []
    if low is not None:
        conditions.append(f"{key} >= {low}")
    if high is not None:
        conditions.append(f"{key} < {high}")
    register_view(cursor, source.view, files, where=" AND ".join(conditions), kept=kept)
