"""Locating the inputs, writing findings, the scan floor, and a missing Spark."""

import sys

import pyarrow.parquet as pq
import pytest

from zizhu.anomalies.engine import (
    FINDINGS_SCHEMA,
    EngineUnavailable,
    duckdb_engine,
    run_duckdb,
    run_spark,
    scan_floor,
    write_findings,
)
from zizhu.anomalies.engine.inputs import REGISTER_KINDS, locate
from zizhu.lib.periods import Month

from .conftest import MONTH, PRIMARY, build_month


def test_it_locates_the_inputs_of_a_month(store):
    build_month(store)
    store.register("enrolment_compulsory", [{"school_code": PRIMARY, "pid": 1}], month="2024-11")

    inputs = locate(store.root, MONTH)

    sources = {s.view: s for s in inputs.sources}
    assert list(sources) == ["lists_term", "lists_3y", *REGISTER_KINDS]
    assert sources["lists_term"].files[0].endswith("school_year=2024/term=autumn/part-0.parquet")
    assert "school_year=2021/term=autumn" in sources["lists_3y"].files[0]
    assert sources["enrolment_compulsory"].snapshot == Month(2024, 9)
    assert sources["enrolment_compulsory"].files[0].startswith(str(store.root))
    assert sources["recipients_senior_high"].files == ()  # no snapshot at all
    assert inputs.reference_date.isoformat() == "2024-10-01"
    assert inputs.school_year == 2024


def test_it_writes_findings_to_parquet(store, tmp_path):
    build_month(store)
    findings = run_duckdb(store.root, MONTH)

    write_findings(findings, tmp_path / "findings.parquet")

    assert pq.read_table(tmp_path / "findings.parquet").equals(findings)
    assert findings.schema == FINDINGS_SCHEMA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.parquet", "store"]


def test_it_measures_the_scan_floor(store):
    build_month(store)

    seconds = scan_floor(store.root, MONTH, threads=1)

    assert 0 < seconds < 60


@pytest.mark.parametrize("read_every_value", [True, False])
def test_the_scan_floor_reads_the_values_not_the_files_statistics(store, read_every_value):
    build_month(store)
    inputs = locate(store.root, MONTH)

    with duckdb_engine._connection(1, None) as con:
        duckdb_engine.register(con, inputs)
        if read_every_value:
            duckdb_engine._read_every_value(con)
        plans = [
            "".join(row[1] for row in con.execute(f"EXPLAIN {query}").fetchall())
            for query in duckdb_engine._floor_queries(inputs)
        ]

    scans = ("PARQUET_SCAN", "READ_PARQUET")  # the operator's name in DuckDB's plans
    answered_from_statistics = [p for p in plans if not any(scan in p for scan in scans)]
    assert plans
    if read_every_value:
        assert answered_from_statistics == []
    else:  # what the floor must not allow: inputs answered without reading a value
        assert answered_from_statistics


def test_it_says_what_is_missing_when_pyspark_is_not_installed(store, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)

    with pytest.raises(EngineUnavailable, match=r"zizhu\[spark\]"):
        run_spark(store.root, MONTH)
