"""DuckDB and Spark run the same SQL over the same store and must return the same table."""

from datetime import date

import pytest

from zizhu.anomalies.engine import run_duckdb, run_spark

from .conftest import COLLEGE, MONTH, build_month, found

pytestmark = pytest.mark.spark


def test_it_finds_the_same_findings_on_spark_as_on_duckdb(store, spark):
    expected = build_month(store)
    # Extra cases where the engines could differ: a counterpart school on both an internal list
    # and a register, a person listed twice, no phone, no birth date.
    store.lists(
        [
            store.subject(1, row_id=900),
            store.subject(1, row_id=901, phone_key=None, birth_date=None),
            store.list_row(1, stage="higher", school_code=COLLEGE),
        ],
        school_year=2024,
        term="autumn",
    )
    store.register("recipients_higher", [{"school_code": COLLEGE, "pid": 1}])  # a second file
    reference = date(2024, 10, 2)

    on_duckdb = run_duckdb(store.root, MONTH, reference_date=reference)
    on_spark = run_spark(store.root, MONTH, spark=spark, reference_date=reference)

    assert on_spark.schema == on_duckdb.schema
    assert on_spark.to_pylist() == on_duckdb.to_pylist()
    assert expected <= found(on_duckdb, "rule", "pid", "counterpart_school_code", "detail")
    assert (1, 1, COLLEGE) in found(on_spark)


def test_it_returns_an_empty_table_on_spark_for_an_empty_store(tmp_path, spark):
    findings = run_spark(tmp_path / "nothing-here", MONTH, spark=spark)

    assert findings.num_rows == 0
    assert findings.schema == run_duckdb(tmp_path / "nothing-here", MONTH).schema
