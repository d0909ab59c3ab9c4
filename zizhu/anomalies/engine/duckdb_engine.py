"""Run the checks on DuckDB, the embedded default engine."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache, partial

import duckdb
import pyarrow as pa

from zizhu.lib.periods import Month

from . import checks
from .duckdb_ranges import key_spans, ranges_for, run_ranges
from .findings import finalise
from .inputs import Inputs, locate
from .rules import rules_table
from .views import register_view


def run_duckdb(
    store: str | os.PathLike[str],
    month: Month | str,
    *,
    reference_date: date | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    lists_store: str | os.PathLike[str] | None = None,
    ranges: int | None = None,
) -> pa.Table:
    """Run the 24 rules of `month` against the Parquet store at `store` (a folder, or an
    s3:// URL when DuckDB's httpfs extension and credentials are set up); return the findings
    as findings.FINDINGS_SCHEMA. `reference_date` (default: the month's first day) is the day
    ages are counted on; `memory_limit` (e.g. "4GB") is DuckDB's. `lists_store` is where the
    recipient lists are read (default: `store`).

    `ranges` (a power of two up to 64) is how many ranges of keys the run takes one after the
    other (duckdb_ranges); by default 1 unless the inputs are bucketed, then by their size (1
    for a province). `threads` is DuckDB's threads for a run in one range (default: two per
    core), and the number of ranges run at once, one thread each, otherwise (default: one per
    core).
    """
    inputs = locate(store, month, reference_date, lists_store)
    # DuckDB's default threads (one per core) until the run's plan is known
    with _connection(None, memory_limit) as con:
        spans = cache(partial(key_spans, con, inputs))  # the footers, read when first needed
        count = ranges or ranges_for(inputs, spans)
        if count > 1:
            # the footers of the ranges' files read with every thread (national: ~0.25 s, not
            # ~0.5), before each range takes one thread of its own
            footers = spans()
            con.execute("SET threads = 1")
            parallel = threads or os.cpu_count() or 1
            raw = run_ranges(con, inputs, count, parallel, _arrow, footers)
            con.register("range_findings", raw)
            ordered = _arrow(con.sql(f"SELECT * FROM range_findings ORDER BY {checks.ORDER}"))  # noqa: S608
            return finalise(ordered, inputs.month)
        # Two threads per core by default: the joins and aggregates wait on memory much of the
        # time, and the extra threads keep the cores busy meanwhile (a scan is fastest at one).
        con.execute(f"SET threads = {int(threads or 2 * (os.cpu_count() or 1))}")
        register(con, inputs)
        for name, sql, materialise in checks.VIEWS:
            kind = "TABLE" if materialise else "VIEW"
            con.execute(f"CREATE TEMP {kind} {name} AS {sql}")
        con.execute(f"CREATE TEMP TABLE found AS {checks.FOUND}")
        raw = _arrow(con.sql(checks.FINDINGS))
    return finalise(raw, inputs.month)


def scan_floor(
    store: str | os.PathLike[str],
    month: Month | str,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> float:
    """Seconds DuckDB needs to read every column the checks read, of every input, once: the
    floor under which no run of the same month can go (used by the benchmark)."""
    inputs = locate(store, month)
    with _connection(threads, memory_limit) as con:
        register(con, inputs)
        _read_every_value(con)
        queries = _floor_queries(inputs)
        started = time.perf_counter()
        for query in queries:
            con.execute(query).fetchall()
        return time.perf_counter() - started


def _floor_queries(inputs: Inputs) -> list[str]:
    """COUNT(*) and the MAX of every column of each input: cheap per value. View and column
    names are the constants of inputs.VIEW_COLUMNS."""
    return [
        "SELECT COUNT(*) AS n, "  # noqa: S608
        + ", ".join(f"MAX({column})" for column in source.columns)
        + f" FROM {source.view}"
        for source in inputs.sources
        if source.files
    ]


def _read_every_value(con: duckdb.DuckDBPyConnection) -> None:
    """Without this, DuckDB answers COUNT(*) and MAX from the Parquet files' statistics where
    it can and reads no values at all: the floor would fall far below what any run reads."""
    con.execute("SET disabled_optimizers = 'statistics_propagation'")


@contextmanager
def _connection(
    threads: int | None, memory_limit: str | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    config: dict[str, str | bool | int | float | list[str]] = {}
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    con = duckdb.connect(":memory:", config=config)
    try:
        # The findings query ends in an ORDER BY; nothing else needs the scans' row order, and
        # without it DuckDB keeps fewer rows in flight. No progress bar on a worker's stderr.
        con.execute("SET preserve_insertion_order = false")
        con.execute("SET enable_progress_bar = false")
        # No footer cache: a run over ranges opens each file in one range only, and the cache
        # kept every footer read to the run's end, a peak growing with the store's files
        # (twice national 405 against 351 MB; off, 327 against 303, for the same CPU).
        con.execute("SET parquet_metadata_cache = false")
        yield con
    finally:
        con.close()


def register(con: duckdb.DuckDBPyConnection, inputs: Inputs) -> None:
    """Create the input views, `rules` and `params` on `con`."""
    for source in inputs.sources:
        register_view(con, source.view, source.files)
    con.register("rules", rules_table())
    params = pa.table(
        {"school_year": [inputs.school_year], "reference_date": [inputs.reference_date]},
        schema=pa.schema([("school_year", pa.int32()), ("reference_date", pa.date32())]),
    )
    con.register("params", params)


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    if hasattr(relation, "to_arrow_table"):  # DuckDB ≥ 1.4; arrow() became a reader in 2.0
        return relation.to_arrow_table()
    return relation.arrow()
