import io

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.management import call_command

from tests.recipients.factories import make_id, make_list
from tests.registers.conftest import bucket_files, in_order
from zizhu.lib.periods import Month
from zizhu.recipients import services, store_export
from zizhu.recipients.models import RecipientRow
from zizhu.recipients.store_export import lists_export
from zizhu.store.buckets import PHONES_PREFIX
from zizhu.store.keys import person_key
from zizhu.store.schemas import LISTS_SCHEMA


def _approve(users, target):
    services.recipient_list_submit(recipient_list=target, actor=users["school_operator"])
    services.recipient_list_approve(recipient_list=target, actor=users["school_reviewer"])


def test_it_exports_approved_lists_of_the_term_and_three_years_ago(users, tmp_path):
    school = users["school_operator"].unit
    _approve(users, make_list(school, 1, 2))  # 2025 autumn
    make_list(school, 3, batch=2)  # a draft: not exported
    _approve(users, make_list(school, 4, year=2022, term="spring"))
    written = lists_export(month=Month.parse("2025-10"), store=str(tmp_path))
    assert written == {"2025-autumn": 2, "2022-autumn": 0, "2022-spring": 1}
    table = pq.read_table(tmp_path / "lists/school_year=2025/term=autumn")
    assert sorted(table.column("pid").to_pylist()) == sorted(
        [person_key(make_id(1)), person_key(make_id(2))]
    )
    assert set(table.column("programme").to_pylist()) == {"national_grant"}
    assert table.column("id_masked")[0].as_py().count("*") == 8


def test_it_writes_a_file_per_pid_bucket_and_the_phones_beside_them(users, tmp_path, monkeypatch):
    monkeypatch.setattr(store_export, "CHUNK", 7)  # the rows arrive in several chunks
    people = range(1, 41)
    _approve(users, make_list(users["school_operator"].unit, *people))
    RecipientRow.objects.filter(pid=person_key(make_id(1))).update(phone_key=None)
    written = lists_export(month=Month.parse("2025-10"), store=str(tmp_path))
    assert written["2025-autumn"] == 40
    folder = tmp_path / "lists/school_year=2025/term=autumn"
    parts = pa.concat_tables(bucket_files(folder, "part-", "pid"))
    assert sorted(parts.column("pid").to_pylist()) == sorted(person_key(make_id(n)) for n in people)
    # the rows with a phone once more, by the bucket of the phone
    phones = pa.concat_tables(bucket_files(folder, PHONES_PREFIX, "phone_key"))
    assert phones.column_names == ["phone_key", "pid", "stage", "programme"]
    with_phone = parts.filter(parts.column("phone_key").is_valid()).select(phones.column_names)
    assert with_phone.num_rows == 39
    assert in_order(phones).equals(in_order(with_phone))
    # no approved list in 2022's autumn: one empty file with the partition's columns
    empty = tmp_path / "lists/school_year=2022/term=autumn"
    assert [p.name for p in empty.iterdir()] == ["part-0.parquet"]
    table = pq.read_table(empty / "part-0.parquet")
    assert (table.num_rows, table.schema.equals(LISTS_SCHEMA)) == (0, True)


def test_it_writes_no_raw_id_number_or_phone(users, tmp_path):
    _approve(users, make_list(users["school_operator"].unit, 1))
    lists_export(month=Month.parse("2025-10"), store=str(tmp_path))
    data = b"".join(p.read_bytes() for p in tmp_path.rglob("*.parquet"))
    assert make_id(1).encode() not in data
    assert b"13800000001" not in data


def test_it_is_a_command(users, settings, tmp_path):
    settings.ZIZHU_STORE = str(tmp_path)
    _approve(users, make_list(users["school_operator"].unit, 1))
    out = io.StringIO()
    call_command("export_lists", month="2025-11", stdout=out)
    assert "2025-autumn\t1" in out.getvalue()
