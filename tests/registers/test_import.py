"""register_import: every kind and format, the all-or-nothing rule, atomic replacement."""

import errno
from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow.parquet as pq
import pytest
from psycopg import errors

from tests.registers.conftest import (
    MONTH,
    SCHOOL,
    good_rows,
    make_id,
    person,
    tree_listing,
    write_file,
)
from zizhu.audit.models import AuditEvent
from zizhu.lib.tabular import TableError
from zizhu.registers.kinds import KINDS
from zizhu.registers.models import Snapshot, Status
from zizhu.registers.services import RegisterRejected, register_import
from zizhu.store import buckets
from zizhu.store.keys import person_key, phone_key
from zizhu.store.schemas import REGISTER_SCHEMAS as STORE_SCHEMAS
from zizhu.store.schemas import shape_of


def snapshot_table(store, kind, month=MONTH):
    return pq.read_table(store / "registers" / kind / f"month={month}")


def bucket_files(prefix: str, keys: list[int]) -> set[str]:
    return {f"{prefix}{bucket:02d}.parquet" for bucket in buckets.of(np.array(keys, np.int64))}


def problems_of(exc) -> list[tuple[int, str]]:
    return [(p.row, p.column) for p in exc.value.problems]


@pytest.mark.parametrize("kind", KINDS)
def test_it_imports_each_kind_from_a_csv_with_chinese_headers(db, store, files, kind):
    shape = shape_of(kind)
    path = write_file(files, shape, good_rows(shape), chinese=True)
    snapshot = register_import(kind=kind, month=MONTH, path=path)
    assert (snapshot.status, snapshot.rows, snapshot.error_count) == (Status.DONE, 3, 0)
    table = snapshot_table(store, kind)
    assert table.schema.equals(STORE_SCHEMAS[shape])
    assert sorted(table.column("pid").to_pylist()) == sorted(
        person_key(person(n)["id_number"]) for n in (1, 2, 3)
    )
    assert table.column("birth_date").to_pylist() == [date(2008, 3, 15)] * 3
    assert table.column("school_code").to_pylist() == [SCHOOL] * 3
    assert snapshot.store_path == f"{store}/registers/{kind}/month={MONTH}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("shape", ["enrolment", "recipients", "graduates"])
@pytest.mark.parametrize("chinese", [False, True])
def test_it_imports_every_format_with_either_header(db, store, files, fmt, shape, chinese):
    kind = {"enrolment": "enrolment_vocational", "recipients": "recipients_technical"}.get(
        shape, "graduates_senior_high"
    )
    path = write_file(files, shape, good_rows(shape), fmt, chinese=chinese)
    snapshot = register_import(kind=kind, month=MONTH, path=path)
    by_pid = {row["pid"]: row for row in snapshot_table(store, kind).to_pylist()}
    assert snapshot.rows == len(by_pid) == 3
    first = by_pid[person_key(make_id(sequence=1))]
    if shape == "enrolment":
        assert (first["status"], first["grade"]) == ("在籍", "高一")
        assert first["phone_key"] == phone_key(person(1)["phone"])
    elif shape == "recipients":
        assert (first["project"], first["amount"]) == (
            "senior_high_national_grant",
            Decimal("1000.50"),
        )
    else:
        assert first["graduation_year"] == 2024


def test_it_reads_gb18030_and_utf8_with_a_bom(db, store, files):
    for encoding in ("gb18030", "utf-8-sig"):
        path = write_file(
            files, "enrolment", good_rows("enrolment"), chinese=True, encoding=encoding
        )
        assert register_import(kind="enrolment_compulsory", month=MONTH, path=path).rows == 3


def test_it_normalises_ids_and_phones_before_hashing(db, store, files):
    id18 = make_id(sequence=7)
    rows = [
        {
            "school_code": SCHOOL,
            "id_number": f" G{id18} ",  # a 学籍号 is the ID behind a G
            "name": "甲",
            "phone": "+86 138-0013-0007",
        },
    ]
    path = write_file(files, "enrolment", rows)
    register_import(kind="enrolment_senior_high", month=MONTH, path=path)
    table = snapshot_table(store, "enrolment_senior_high").to_pylist()
    assert table[0]["pid"] == person_key(id18)
    assert table[0]["phone_key"] == phone_key("13800130007")


def test_it_accepts_an_id_ending_in_x_in_either_case(db, store, files):
    sequence = next(n for n in range(1, 100) if make_id(sequence=n).endswith("X"))
    id18 = make_id(sequence=sequence)
    rows = [{"school_code": SCHOOL, "id_number": id18[:-1] + "x", "name": "甲"}]
    register_import(
        kind="enrolment_senior_high", month=MONTH, path=write_file(files, "enrolment", rows)
    )
    assert snapshot_table(store, "enrolment_senior_high").column("pid").to_pylist() == [
        person_key(id18)
    ]


def test_it_fills_defaults_for_optional_columns(db, store, files):
    rows = good_rows("enrolment", 2)
    rows[0].update(status="", grade="", phone="")
    rows[1].update(status="休学")
    register_import(
        kind="enrolment_senior_high", month=MONTH, path=write_file(files, "enrolment", rows)
    )
    table = snapshot_table(store, "enrolment_senior_high").to_pylist()
    # the snapshot keeps rows in the order of their pid's bucket, not the file's
    assert sorted((r["status"], r["grade"], r["phone_key"] is None) for r in table) == [
        ("休学", "高一", False),
        ("在籍", None, True),
    ]


def test_it_accepts_files_without_the_optional_columns(db, store, files):
    path = files / "minimal.csv"
    path.write_text(f"学校标识码,身份证件号,姓名,备注\n{SCHOOL},{make_id()},甲,随便\n", "utf-8")
    register_import(kind="enrolment_vocational", month=MONTH, path=path)
    row = snapshot_table(store, "enrolment_vocational").to_pylist()[0]
    assert (row["status"], row["grade"], row["phone_key"]) == ("在籍", None, None)
    path.write_text(f"school_code,id_number,name,project\n{SCHOOL},{make_id()},甲,p\n", "utf-8")
    register_import(kind="recipients_higher", month=MONTH, path=path)
    assert snapshot_table(store, "recipients_higher").column("amount").to_pylist() == [None]


def test_it_skips_blank_rows_and_keeps_the_row_numbers(db, store, files):
    rows = good_rows("graduates", 2)
    path = files / "gaps.csv"
    path.write_text(
        "school_code,id_number,name,graduation_year\n"
        f"{SCHOOL},{rows[0]['id_number']},甲,2024\n"
        "\n"
        ",,,\n"
        f"{SCHOOL},{rows[1]['id_number']},乙,1800\n",
        "utf-8",
    )
    with pytest.raises(RegisterRejected) as exc:
        register_import(kind="graduates_senior_high", month=MONTH, path=path)
    assert problems_of(exc) == [(5, "graduation_year")]


def test_it_accepts_a_file_with_only_a_header(db, store, files):
    snapshot = register_import(
        kind="recipients_technical", month=MONTH, path=write_file(files, "recipients", [])
    )
    assert snapshot.rows == 0
    assert snapshot_table(store, "recipients_technical").num_rows == 0


BAD_ROWS = [
    # row 2: fine
    {},
    # row 3: check digit, school code too short, empty name
    {
        "id_number": make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1"),
        "school_code": "34610",
        "name": "",
    },
    # row 4: no such date; phone not a mobile
    {"id_number": "610112" + "20080230" + "001" + "0", "phone": "029-88886666"},
    # row 5: born in the future; status too long
    {"id_number": make_id(born="20990101"), "status": "在" * 21},
    # row 6: not 18 characters; empty school code
    {"id_number": "61011220080315", "school_code": ""},
]


def bad_enrolment_rows() -> list[dict[str, str]]:
    rows = good_rows("enrolment", len(BAD_ROWS))
    for row, change in zip(rows, BAD_ROWS, strict=True):
        row.update(change)
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_it_reports_every_problem_by_row_and_column_and_writes_nothing(db, store, files, fmt):
    register_import(
        kind="enrolment_senior_high",
        month=MONTH,
        path=write_file(files, "enrolment", good_rows("enrolment"), name="old"),
    )
    before = tree_listing(store)
    with pytest.raises(RegisterRejected) as exc:
        register_import(
            kind="enrolment_senior_high",
            month=MONTH,
            path=write_file(files, "enrolment", bad_enrolment_rows(), fmt),
        )
    assert problems_of(exc) == [
        (3, "school_code"),
        (3, "id_number"),
        (3, "name"),
        (4, "id_number"),
        (4, "phone"),
        (5, "id_number"),
        (5, "status"),
        (6, "school_code"),
        (6, "id_number"),
    ]
    messages = [p.message for p in exc.value.problems]
    assert messages[1] == "身份证件号校验位错误"
    assert messages[3] == "身份证件号中的出生日期不是有效日期"
    assert messages[5] == "身份证件号中的出生日期不合理"
    assert messages[8] == "身份证件号应为18位"
    assert "第3行【id_number】：身份证件号校验位错误" in str(exc.value)
    assert tree_listing(store) == before  # no folder, no file, nothing half-written
    current, failed = Snapshot.objects.order_by("pk")
    assert (current.status, current.rows) == (Status.DONE, 3)
    assert (failed.status, failed.error_count, failed.rows) == (Status.FAILED, 9, 0)
    assert failed.problems[1] == [3, "id_number", "身份证件号校验位错误"]
    assert exc.value.snapshot == failed


def test_it_checks_amounts_project_and_graduation_year(db, store, files):
    rows = good_rows("recipients", 6)
    for row, amount in zip(rows, ["0", "-5", "12.345", "abc", "1,200.00", ""], strict=True):
        row["amount"] = amount
    rows[5]["project"] = ""
    with pytest.raises(RegisterRejected) as exc:
        register_import(
            kind="recipients_higher", month=MONTH, path=write_file(files, "recipients", rows)
        )
    assert [(p.row, p.column, p.message) for p in exc.value.problems] == [
        (2, "amount", "资助金额必须大于0"),
        (3, "amount", "资助金额必须大于0"),
        (4, "amount", "资助金额最多保留两位小数"),
        (5, "amount", "资助金额不是有效数字"),
        (7, "project", "资助项目不能为空"),
    ]
    rows = good_rows("graduates", 3)
    for row, year in zip(rows, ["24", "1900", ""], strict=True):
        row["graduation_year"] = year
    with pytest.raises(RegisterRejected) as exc:
        register_import(
            kind="graduates_senior_high", month=MONTH, path=write_file(files, "graduates", rows)
        )
    found = [(p.row, p.message) for p in exc.value.problems]
    assert [row for row, _ in found] == [2, 3, 4]
    for (_, message), start in zip(
        found, ["毕业年份应为四位", "毕业年份不合理", "毕业年份不能为空"], strict=True
    ):
        assert message.startswith(start)


def test_it_reports_missing_columns(db, store, files):
    path = files / "short.csv"
    path.write_text(f"学校标识码,姓名\n{SCHOOL},甲\n", "utf-8")
    with pytest.raises(RegisterRejected) as exc:
        register_import(kind="enrolment_senior_high", month=MONTH, path=path)
    assert [(p.row, p.column, p.message) for p in exc.value.problems] == [
        (1, "id_number", "缺少必填列（表头写中文列名或英文列名均可）")
    ]


def test_it_reports_rows_with_the_wrong_number_of_cells(db, store, files):
    first, second, third = (person(n)["id_number"] for n in (1, 2, 3))
    path = files / "ragged.csv"
    path.write_text(
        "school_code,id_number,name\n"
        f"{SCHOOL},{first}\n"
        f'{SCHOOL},{second},"乙\n(两行)"\n'
        f"{SCHOOL},{third},丙,多余\n"
        f"{SCHOOL},{first[:-1]}0,丁\n",
        "utf-8",
    )
    with pytest.raises(RegisterRejected) as exc:
        register_import(kind="enrolment_senior_high", month=MONTH, path=path)
    rows = [(p.row, p.column) for p in exc.value.problems]
    expected_id_problem = [] if first.endswith("0") else [(5, "id_number")]
    assert rows == [(2, ""), (4, ""), *expected_id_problem]


def test_it_refuses_an_unknown_encoding_and_file_type(db, store, files):
    path = files / "utf16.csv"
    path.write_text("school_code,id_number,name\n", encoding="utf-16")
    with pytest.raises(RegisterRejected) as exc:
        register_import(kind="enrolment_senior_high", month=MONTH, path=path)
    assert "UTF-8 或 GB18030" in exc.value.problems[0].message
    with pytest.raises(TableError):
        register_import(kind="enrolment_senior_high", month=MONTH, path=files / "x.txt")
    assert not store.exists() or not any(store.rglob("*.parquet"))


def test_it_replaces_the_month_atomically(db, store, files):
    old = write_file(files, "enrolment", good_rows("enrolment", 3), name="old")
    new = write_file(files, "enrolment", good_rows("enrolment", 2), name="new")
    first = register_import(kind="enrolment_senior_high", month=MONTH, path=old)
    register_import(kind="enrolment_senior_high", month="2024-11", path=old)
    second = register_import(kind="enrolment_senior_high", month=MONTH, path=new)
    first.refresh_from_db()
    assert (first.status, second.status) == (Status.REPLACED, Status.DONE)
    assert snapshot_table(store, "enrolment_senior_high").num_rows == 2
    assert snapshot_table(store, "enrolment_senior_high", "2024-11").num_rows == 3
    folder = store / "registers" / "enrolment_senior_high"
    assert sorted(p.name for p in folder.iterdir()) == ["month=2024-10", "month=2024-11"]
    # the files of the new snapshot's two rows, nothing of the old one
    people = [person(n) for n in (1, 2)]
    parts = bucket_files("part-", [person_key(p["id_number"]) for p in people])
    phones = bucket_files("_phones-", [phone_key(p["phone"]) for p in people])
    assert {p.name for p in (folder / f"month={MONTH}").iterdir()} == parts | phones
    events = AuditEvent.objects.filter(action="registers.import").order_by("pk")
    assert events.last().detail["replaced"] == [first.pk]


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (RuntimeError("the reader gave up"), "导入因出错而中止，错误已记录"),
        (OSError(errno.ENOSPC, "No space left on device"), "服务器磁盘已满"),
        (errors.DeadlockDetected("deadlock detected"), "系统繁忙"),
    ],
    ids=["error", "disk full", "deadlock"],
)
def test_it_keeps_no_half_written_folder_when_the_import_fails(
    db, store, files, monkeypatch, error, says
):
    from zizhu.registers import services

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(services, "check_batch", broken)
    with pytest.raises(type(error)):
        register_import(
            kind="enrolment_senior_high",
            month=MONTH,
            path=write_file(files, "enrolment", good_rows("enrolment")),
        )
    assert list((store / "registers" / "enrolment_senior_high").iterdir()) == []
    snapshot = Snapshot.objects.get()
    assert snapshot.status == Status.FAILED
    # in Chinese, without the error's class or its (English, perhaps the file's) text
    assert says in snapshot.message and "没有保存任何数据" in snapshot.message
    assert not any(c.isascii() and c.isalpha() for c in snapshot.message), snapshot.message


def test_a_dry_run_writes_nothing(db, store, files):
    snapshot = register_import(
        kind="graduates_senior_high",
        month=MONTH,
        path=write_file(files, "graduates", good_rows("graduates")),
        dry_run=True,
    )
    assert (snapshot.pk, snapshot.rows) == (None, 3)
    assert not store.exists()
    assert Snapshot.objects.count() == 0


def test_it_rejects_an_unknown_kind_or_month(db, store, files):
    path = write_file(files, "graduates", good_rows("graduates"))
    with pytest.raises(ValueError, match="unknown register kind"):
        register_import(kind="graduates_primary", month=MONTH, path=path)
    with pytest.raises(ValueError, match="YYYY-MM"):
        register_import(kind="graduates_senior_high", month="2024-13", path=path)
