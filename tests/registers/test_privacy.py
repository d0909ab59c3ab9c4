"""No raw ID number, phone or name of a register reaches the store, the database or the disk."""

import json

import pyarrow.parquet as pq
import pytest
from django.core import serializers

from tests.registers.conftest import MONTH, good_rows, write_file
from zizhu.audit.models import AuditEvent
from zizhu.jobs.models import Job
from zizhu.registers.models import Snapshot
from zizhu.registers.services import RegisterRejected, register_import
from zizhu.store.keys import person_key


def raw_values(rows: list[dict[str, str]]) -> set[str]:
    values = set()
    for row in rows:
        for column in ("id_number", "phone", "name"):
            if row.get(column):
                values.add(row[column])
        if row.get("id_number"):
            values.add(row["id_number"][:17])  # not even the ID without its check character
    return values


def assert_nowhere(store, values: set[str]) -> None:
    files = list(store.rglob("*.parquet"))
    assert files
    for path in files:
        data = path.read_bytes()
        table = pq.read_table(path)
        cells = {str(v) for column in table.columns for v in column.to_pylist()}
        for value in values:
            assert value.encode("utf-8") not in data, (path, value)
            assert value not in cells, (path, value)
    database = serializers.serialize(
        "json",
        [*Snapshot.objects.all(), *AuditEvent.objects.all(), *Job.objects.all()],
        ensure_ascii=False,
    )
    for value in values:
        assert value not in database


@pytest.mark.parametrize(
    ("kind", "shape"),
    [
        ("enrolment_senior_high", "enrolment"),
        ("recipients_compulsory", "recipients"),
        ("graduates_senior_high", "graduates"),
    ],
)
def test_the_written_snapshot_holds_no_raw_id_number_phone_or_name(db, store, files, kind, shape):
    rows = good_rows(shape, 50)
    register_import(kind=kind, month=MONTH, path=write_file(files, shape, rows))
    assert_nowhere(store, raw_values(rows))
    pids = pq.read_table(store / "registers" / kind / f"month={MONTH}").column("pid").to_pylist()
    assert sorted(pids) == sorted(person_key(row["id_number"]) for row in rows)


def test_a_rejected_file_leaves_no_raw_value_in_the_problems(db, store, files):
    rows = good_rows("enrolment", 3)
    rows[1]["id_number"] = rows[1]["id_number"][:-1] + "Y"
    rows[2]["phone"] = "1380013000"
    with pytest.raises(RegisterRejected):
        register_import(
            kind="enrolment_senior_high", month=MONTH, path=write_file(files, "enrolment", rows)
        )
    stored = json.dumps(list(Snapshot.objects.values("problems", "message")), ensure_ascii=False)
    for value in (rows[1]["id_number"], rows[2]["phone"], rows[1]["name"]):
        assert value not in stored
