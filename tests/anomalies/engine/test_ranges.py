"""A month run a range of keys at a time finds what the whole month at once finds."""

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from zizhu.anomalies.engine import duckdb_engine, duckdb_ranges, run_duckdb
from zizhu.anomalies.engine.inputs import locate
from zizhu.store import buckets

from .conftest import MONTH, build_month, found

# An odd multiplier: a bijection of 64-bit keys that spreads the handcrafted small keys over
# every bucket, so a case's rows and its counterparts' fall in ranges of their own.
SPREAD = np.uint64(0x9E3779B97F4A7C15)


def _spread(values: pa.ChunkedArray) -> pa.Array:
    keys = pc.fill_null(values, 0).to_numpy().view(np.uint64)
    nulls = pc.is_null(values).to_numpy(zero_copy_only=False)
    return pa.array((keys * SPREAD).view(np.int64), pa.int64(), mask=nulls)


def spread_keys(root: Path) -> dict[int, int]:
    """Rewrite every `pid` and `phone_key` of the store's files spread; the new pid of each."""
    pids: dict[int, int] = {}
    for path in root.rglob("*.parquet"):
        table = pq.read_table(path)
        for column in ("pid", "phone_key"):
            if column in table.column_names:
                new = _spread(table.column(column))
                if column == "pid":
                    pids.update(zip(table.column(column).to_pylist(), new.to_pylist(), strict=True))
                table = table.set_column(table.schema.get_field_index(column), column, new)
        pq.write_table(table, path)
    return pids


def write_side_files(root: Path) -> None:
    """The phone side files a writer of the store would write beside each enrolment and list
    part (docs/analytics-store.md, "Buckets")."""
    for path in root.rglob("part-*.parquet"):
        table = pq.read_table(path)
        if "phone_key" not in table.column_names:
            continue
        shape = "list" if "stage" in table.column_names else "enrolment"
        side = buckets.phone_table(table, shape)
        pq.write_table(side, path.with_name(f"{buckets.PHONES_PREFIX}{path.stem}.parquet"))


def test_any_number_of_ranges_finds_the_findings_of_the_whole_month(store):
    expected = build_month(store)
    new_pid = spread_keys(store.root)
    whole = run_duckdb(store.root, MONTH)
    assert found(whole, "rule", "pid") == {(rule, new_pid[pid]) for rule, pid, *_ in expected}
    pids = whole.column("pid").to_numpy()
    assert len(set(buckets.of(pids))) > 8  # the subjects are spread over the ranges

    for ranges in (2, buckets.COUNT):
        assert run_duckdb(store.root, MONTH, ranges=ranges) == whole


def test_the_side_files_give_the_same_findings(store):
    build_month(store)
    spread_keys(store.root)
    whole = run_duckdb(store.root, MONTH)
    write_side_files(store.root)
    assert locate(store.root, MONTH).sources[0].phones  # lists_term has its side file

    assert run_duckdb(store.root, MONTH, ranges=8) == whole
    assert run_duckdb(store.root, MONTH) == whole  # the whole month reads no side file


def test_a_ranged_run_counts_the_phones_of_the_side_files(store):
    build_month(store)
    write_side_files(store.root)
    side = next((store.root / "registers" / "enrolment_compulsory").rglob("_phones-*.parquet"))
    table = pq.read_table(side)
    # Drop the other person who gives the phone of the shared-phone case of rule 21 (pid 199)
    pq.write_table(table.filter(pc.not_equal(table.column("pid"), 199)), side)

    assert (21, 112) in found(run_duckdb(store.root, MONTH), "rule", "pid")
    assert (21, 112) not in found(run_duckdb(store.root, MONTH, ranges=4), "rule", "pid")


def _spans(root: Path):
    inputs = locate(root, MONTH)
    with duckdb.connect() as con:
        return inputs, duckdb_ranges.key_spans(con, inputs)


class _Footers:
    """key_spans' result, counting how often it is asked for."""

    def __init__(self, spans) -> None:
        self.spans, self.asked = spans, 0

    def __call__(self):
        self.asked += 1
        return self.spans


def test_the_number_of_ranges_grows_with_a_bucketed_month(store, monkeypatch):
    build_month(store)  # small keys: every file's keys are in one bucket
    write_side_files(store.root)
    inputs, spans = _spans(store.root)
    assert duckdb_ranges.bucketed(inputs, spans)
    size = sum(source.bytes for source in inputs.sources)
    assert size > 0
    footers = _Footers(spans)
    assert duckdb_ranges.ranges_for(inputs, footers) == 1
    assert footers.asked == 0  # a month of one range runs whole: its footers are not read

    monkeypatch.setattr(duckdb_ranges, "RANGE_BYTES", size // 5)
    assert duckdb_ranges.ranges_for(inputs, footers) == 8
    assert footers.asked == 1  # whether the files are bucketed: their footers say
    monkeypatch.setattr(duckdb_ranges, "RANGE_BYTES", 1)
    assert duckdb_ranges.ranges_for(inputs, footers) == buckets.COUNT


def test_a_small_month_runs_without_reading_its_footers(store, monkeypatch):
    build_month(store)
    write_side_files(store.root)
    expected = run_duckdb(store.root, MONTH)

    def refused(*args):
        raise AssertionError("the footers were read for a month of one range")

    monkeypatch.setattr(duckdb_engine, "key_spans", refused)
    assert run_duckdb(store.root, MONTH).equals(expected)
    with pytest.raises(AssertionError, match="footers were read"):
        run_duckdb(store.root, MONTH, ranges=4)  # ranges asked for: their spans are needed


def test_a_month_not_bucketed_runs_whole_whatever_its_size(store, monkeypatch):
    monkeypatch.setattr(duckdb_ranges, "RANGE_BYTES", 1)
    build_month(store)
    inputs, spans = _spans(store.root)
    assert not duckdb_ranges.bucketed(inputs, spans)  # no side files
    assert duckdb_ranges.ranges_for(inputs, lambda: spans) == 1

    write_side_files(store.root)
    spread_keys(store.root)  # a file's keys in many buckets
    inputs, spans = _spans(store.root)
    assert not duckdb_ranges.bucketed(inputs, spans)
    assert duckdb_ranges.ranges_for(inputs, lambda: spans) == 1


@pytest.mark.parametrize("ranges", [3, 2 * buckets.COUNT])
def test_ranges_are_a_power_of_two_up_to_the_buckets(store, ranges):
    build_month(store)
    with pytest.raises(ValueError, match="power of two"):
        run_duckdb(store.root, MONTH, ranges=ranges)


def test_a_range_reads_only_the_files_that_may_hold_its_keys():
    low, high = buckets.key_range(8, 16)
    assert low is not None and high is not None
    spans = {
        "below": (low - 100, low - 1),
        "touching the start": (low - 100, low),
        "inside": (low + 1, high - 1),
        "touching the end": (high - 1, high + 100),
        "at the end": (high, high + 100),
        "no statistics": None,
        "no row": duckdb_ranges.EMPTY,
    }
    files = (*spans, "not in the footers")

    kept = duckdb_ranges._overlapping(files, spans, (low, high))

    assert kept == (
        "touching the start",
        "inside",
        "touching the end",
        "no statistics",
        "not in the footers",
    )
    every_file_with_rows = tuple(file for file in files if file != "no row")
    assert duckdb_ranges._overlapping(files, spans, (None, None)) == every_file_with_rows
