"""The list import read and checked column by column gives what the row-by-row reading and
checks give: the same rows, the same problems (row, column, Chinese reason), the same stored
rows and content hash."""

import csv
import io
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
import xlsxwriter

from tests.recipients.factories import make_id
from zizhu.catalogue.models import AidProject
from zizhu.lib import idnumber
from zizhu.lib.tabular import Column, Columns, Problem, TableError, read_columns, read_table
from zizhu.lib.uploads.spreadsheets import too_many_rows
from zizhu.recipients.models import RecipientRow
from zizhu.recipients.packed import CheckedRows
from zizhu.recipients.services import _person_keys, recipient_list_import
from zizhu.recipients.validation import (
    COLUMNS,
    NAMES,
    CleanColumns,
    content_hash,
    validate_columns,
    validate_row,
    validate_rows,
)

TODAY = date(2026, 12, 4)
HEADER = ["身份证件号", "姓名", "资助金额", "年级", "专业", "联系电话", "银行卡号", "备注"]


def reference(rows: list[tuple[int, dict[str, str]]]):
    """The row-by-row checks: validate_row on every row, then the duplicate IDs in order."""
    clean, problems, first_seen = [], [], {}
    for number, raw in rows:
        row, found = validate_row(number, raw, TODAY)
        problems += found
        if any(p.column == "id_number" for p in found):
            continue
        id18 = row.id_number if row else idnumber.normalise(raw["id_number"])
        earlier = first_seen.setdefault(id18, number)
        if earlier != number:
            problems.append(Problem(number, "id_number", f"与第{earlier}行身份证件号重复"))
        elif row is not None:
            clean.append(row)
    return clean, problems


def awkward_rows() -> list[list[object]]:
    """Every kind of problem and of value that needs normalising, among good rows."""
    rows: list[list[object]] = [
        [make_id(n), f"学生{n}", "1150", "一年级", "数控技术", f"1380000{n:04d}", "", ""]
        for n in range(40)
    ]
    rows[1][0] = make_id(1).lower()[:-1] + make_id(1)[-1].lower()  # lower-case x is fine
    rows[2][0] = " G" + make_id(2) + " "  # a 学籍号 G… holds the ID
    rows[3][0] = make_id(3)[:-1] + ("0" if make_id(3)[-1] != "0" else "1")  # check character
    rows[4][0] = "61011220081345001X"  # no such date
    rows[5][0] = "12345"
    rows[6][0] = ""
    rows[7][0] = make_id(0)  # the same person as row 2
    rows[8][0] = make_id(2)  # the same person as row 4 (written G…)
    rows[9][1] = ""
    rows[10][1] = "名" * 51
    rows[11][2] = "12.345"
    rows[12][2] = "-5"
    rows[13][2] = "abc"
    rows[14][2] = "100001"
    rows[15][2] = "1,150.5"
    rows[16][5] = "+86 138-0000-0016"  # normalised
    rows[17][5] = "12345"
    rows[18][5] = "1380000001a"
    rows[19][3] = "年" * 21
    rows[20][4] = "专" * 61
    rows[21][6] = "6" * 31
    rows[22][6] = "  6222020200112233  "
    rows[23] = [""] * 8  # blank: skipped, keeps its number
    rows[24][7] = "only a remark"  # not blank: the required cells are missing
    rows[24][:7] = [""] * 7
    rows[25][0] = make_id(3)[:-1] + ("0" if make_id(3)[-1] != "0" else "1")
    rows[25][2] = "0"  # a bad ID and a bad amount on one row
    rows[26][0] = make_id(9)  # the same as row 11, which has a bad name: still counts
    rows[27][0], rows[27][2] = make_id(10), "-1"  # same as row 12, bad amount: both reported
    rows[28][1] = "  空格  "
    rows[29][0] = make_id(29, born="19000101")  # the earliest birth date allowed
    rows[30][0] = make_id(30, born="18991231")
    rows[31][0] = make_id(31, born="20261205")  # born after today
    return rows


def csv_file(tmp_path, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    path = tmp_path / "list.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def xlsx_file(tmp_path, rows):
    path = tmp_path / "list.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    for index, row in enumerate([HEADER, *rows]):
        sheet.write_row(index, 0, row)
    sheet.write_number(len(rows) + 1, 0, 0)  # a number where an ID belongs
    sheet.write_row(len(rows) + 1, 1, ["数字", 1150, "一年级", "", 13800000099])
    workbook.close()
    return path


@pytest.mark.parametrize("write", [csv_file, xlsx_file])
def test_it_reads_the_same_rows_column_by_column(tmp_path, write):
    path = write(tmp_path, awkward_rows())

    table = read_columns(path, COLUMNS)

    assert table.rows == read_table(path, COLUMNS).rows
    assert 25 not in table.numbers and 26 in table.numbers  # the blank row is skipped
    # what the file holds, worked out here (read_table is read_columns row by row)
    written = [*awkward_rows()]
    if write is xlsx_file:
        written.append([0, "数字", 1150, "一年级", "", 13800000099, ""])
    expected = [
        (number, dict(zip(NAMES, [str(v).strip() for v in row[:7]], strict=True)))
        for number, row in enumerate(written, start=2)
        if any(str(v).strip() for v in row)
    ]
    assert table.rows == expected


def test_it_reads_rows_shorter_than_the_header_and_more_than_a_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr("zizhu.lib.tabular.CHUNK_ROWS", 7)
    path = tmp_path / "list.csv"
    lines = ["身份证件号,姓名,资助金额,联系电话"] + [f"{make_id(n)},甲{n}" for n in range(30)]
    lines[12] = ",,"  # blank
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    table = read_columns(path, COLUMNS)

    assert table.rows == read_table(path, COLUMNS).rows
    assert len(table) == 29 and table.values["phone"][0] == ""


def test_it_stops_at_the_same_row_limit_and_csv_error_as_the_row_reading(tmp_path):
    path = tmp_path / "list.csv"
    rows = "".join(f"{make_id(n)},甲,100\n" for n in range(12))
    too_long = '"' + "x" * 200_000 + '"'  # past csv's field size limit: csv.Error
    path.write_text(f"身份证件号,姓名,资助金额\n{rows}{too_long},x\n", encoding="utf-8")
    for limit in (10, 20):
        with pytest.raises(TableError) as by_columns:
            read_columns(path, COLUMNS, max_rows=limit)
        with pytest.raises(TableError) as by_rows:
            read_table(path, COLUMNS, max_rows=limit)
        assert by_columns.value.problems == by_rows.value.problems
    assert [p.row for p in by_rows.value.problems] == [14]
    with pytest.raises(TableError) as too_many:
        read_columns(path, COLUMNS, max_rows=10)
    assert too_many.value.problems == [Problem(0, "", too_many_rows(10).message)]
    assert "14" in str(by_rows.value.problems[0])  # limit 20: the CSV error, on row 14


@pytest.mark.parametrize("id_batch", [100_000, 7], ids=["one-id-batch", "id-batches-of-7"])
@pytest.mark.parametrize("write", [csv_file, xlsx_file])
def test_it_finds_the_same_problems_and_clean_rows_as_the_row_by_row_checks(
    tmp_path, monkeypatch, write, id_batch
):
    monkeypatch.setattr("zizhu.recipients.validation.ID_BATCH", id_batch)
    rows = read_table(write(tmp_path, awkward_rows()), COLUMNS).rows
    expected_clean, expected_problems = reference(rows)

    clean, problems = validate_columns(Columns.of_rows(rows, NAMES), today=TODAY)

    assert sorted(problems, key=lambda p: (p.row, p.column)) == sorted(
        expected_problems, key=lambda p: (p.row, p.column)
    )
    assert len({p.row for p in problems}) >= 20  # the file really is awkward
    assert clean.rows() == expected_clean
    assert validate_rows(rows, today=TODAY) == (expected_clean, problems)


def kept_hash(clean: CleanColumns) -> str:
    """The content hash of the import: the rows kept four at a time (several runs)."""
    with CheckedRows() as kept:
        for start in range(0, len(clean), 4):
            part = clean.select(np.arange(len(clean)) // 4 == start // 4)
            kept.add(part, _person_keys(part))
        return kept.content_hash()


def test_it_hashes_the_content_as_the_row_by_row_hash_whatever_the_order(tmp_path, monkeypatch):
    monkeypatch.setattr("zizhu.recipients.packed.RUN_ROWS", 4)  # several runs
    monkeypatch.setattr("zizhu.recipients.packed.BLOCK_ROWS", 3)
    monkeypatch.setattr("zizhu.recipients.packed.HASH_BATCH", 5)  # several batches
    rows = read_table(csv_file(tmp_path, awkward_rows()), COLUMNS).rows
    clean, _ = validate_columns(Columns.of_rows(rows, NAMES), today=TODAY)
    assert len(clean) > 10

    assert kept_hash(clean) == content_hash(clean.rows())
    kept = set(clean.row_number)
    reversed_rows = [(n, raw) for n, raw in reversed(rows) if n in kept]
    again, _ = validate_columns(Columns.of_rows(reversed_rows, NAMES), today=TODAY)
    assert kept_hash(again) == kept_hash(clean)
    assert clean.total_amount() == sum((r.amount for r in clean.rows()), Decimal("0"))


def test_it_stores_a_file_read_column_by_column_as_one_read_row_by_row(tree, tmp_path):
    data = [
        [make_id(n), f"学生{n}", "1150.5", "一年级", "", f"1380000{n:04d}", "", ""]
        for n in range(5)
    ]
    data[1][5] = "+86 138 0000 0001"
    data[2][5] = ""
    path = csv_file(tmp_path, data)
    project = AidProject.objects.get(code="vocational_national_grant")
    key = {"school": tree["3661000001"], "project": project, "year": 2025, "term": "autumn"}

    first = recipient_list_import(**key, rows=read_columns(path, COLUMNS))
    stored = list(RecipientRow.objects.filter(recipient_list=first.recipient_list).values())
    again = recipient_list_import(**key, rows=read_table(path, COLUMNS).rows)

    assert again.unchanged  # the same content hash, however the file was read
    stored_list = first.recipient_list
    by_rows, _ = reference(read_table(path, COLUMNS).rows)  # validate_row, row by row
    assert stored_list.content_hash == content_hash(by_rows)  # the hash stored before the change
    assert stored_list.total_amount == Decimal("5752.50")  # 5 × 1150.50
    row = RecipientRow.objects.get(row_number=3)
    assert (row.phone, row.phone_key is not None, row.amount) == (
        "13800000001",
        True,
        Decimal("1150.50"),
    )
    assert RecipientRow.objects.get(row_number=4).phone_key is None
    assert [r["birth_date"] for r in stored] == [date(2008, 3, 15)] * 5
    assert [r["sex"] for r in stored] == ["female", "male", "female", "male", "female"]


def test_it_skips_blank_rows_when_no_column_of_the_file_is_asked_for(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("备注,其他\nx,\n,\ny,z\n", encoding="utf-8")
    optional = [Column("grade", "年级", required=False)]

    assert read_table(path, optional).rows == [(2, {}), (4, {})]
    assert read_columns(path, optional).numbers == [2, 4]
