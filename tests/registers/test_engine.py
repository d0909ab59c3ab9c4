"""The anomaly engine reads what the import writes: a hand-written recipient-list partition
(docs/analytics-store.md, "lists") and an imported enrolment register give a finding, whole
or a range of keys at a time."""

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from tests.registers.conftest import SCHOOL, good_rows, person, write_file
from zizhu.anomalies.engine import run_duckdb
from zizhu.lib.idnumber import mask
from zizhu.registers.services import register_import
from zizhu.store.keys import person_key, phone_key
from zizhu.store.schemas import LISTS_SCHEMA as LIST_SCHEMA

VOCATIONAL_SCHOOL = "3661000001"


def write_month(store, files, *, subject_phone: str | None = None) -> None:
    """Person 1 on a 中职 national-grant list (with `subject_phone`), and an imported senior
    high register of persons 1 to 3, person 3 not active."""
    subject = person(1)["id_number"]
    folder = store / "lists" / "school_year=2024" / "term=autumn"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.Table.from_pylist(
            [
                {
                    "row_id": 1,
                    "school_code": VOCATIONAL_SCHOOL,
                    "stage": "vocational",
                    "project": "vocational_national_grant",
                    "programme": "national_grant",
                    "pid": person_key(subject),
                    "birth_date": date(2008, 3, 15),
                    "phone_key": phone_key(subject_phone) if subject_phone else None,
                    "id_masked": mask(subject),
                }
            ],
            schema=LIST_SCHEMA,
        ),
        folder / "part-0.parquet",
    )
    rows = good_rows("enrolment", 3)
    rows[2]["status"] = "休学"  # person 3 is not active: never a finding
    register_import(
        kind="enrolment_senior_high", month="2024-09", path=write_file(files, "enrolment", rows)
    )


def test_the_engine_finds_a_recipient_enrolled_at_a_senior_high(db, store, files):
    write_month(store, files)
    findings = run_duckdb(store, "2024-10").to_pylist()
    assert [
        (f["rule"], f["pid"], f["counterpart_school_code"], f["counterpart_kind"]) for f in findings
    ] == [(15, person_key(person(1)["id_number"]), SCHOOL, "enrolment_senior_high")]


def test_a_run_by_key_ranges_reads_the_buckets_and_phone_files_the_import_wrote(db, store, files):
    # the subject gives person 2's phone: a shared phone, found from the register's side files
    write_month(store, files, subject_phone=person(2)["phone"])
    folder = store / "registers" / "enrolment_senior_high" / "month=2024-09"
    assert any(folder.glob("_phones-*.parquet"))
    whole = run_duckdb(store, "2024-10")
    assert {f["rule"] for f in whole.to_pylist()} == {15, 24}
    for ranges in (2, 32):
        assert run_duckdb(store, "2024-10", ranges=ranges) == whole
