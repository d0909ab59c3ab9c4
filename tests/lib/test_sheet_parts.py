"""The first sheet read in parts (zizhu.lib.sheet_parts): the same cells at the same rows and
columns as calamine's read of the whole sheet, whatever the cut falls on; a whole read
wherever a cut could change what is read; the file's check before any parse."""

import datetime
import io
import random
import re
import struct
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook

from zizhu.lib import sheet_parts
from zizhu.lib.tabular import Column, TableError, read_columns
from zizhu.lib.uploads import UploadRejected

LIMIT = 1 << 30


def whole(data: bytes) -> list[list]:
    """calamine's own rows of the whole sheet, each from column A, trailing empty cells
    dropped: what the parts must give."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    left = sheet.start[1] if sheet.start else 0
    return [trimmed([""] * left + row) for row in sheet.iter_rows()]


def trimmed(row: list) -> list:
    end = len(row)
    while end and row[end - 1] == "":
        end -= 1
    return row[:end]


def read(data: bytes, parts: int, check=lambda: None) -> list[list]:
    return [trimmed(row) for row in sheet_parts.first_sheet_rows(data, check, LIMIT, parts)]


@pytest.fixture
def split_small(monkeypatch):
    """Small workbooks cut too; each part's parse noted with the rows it found."""
    monkeypatch.setattr(sheet_parts, "SPLIT_FROM", 0)
    parsed = []
    parse = sheet_parts._parse_file

    def counted(path):
        sheet = parse(path)
        parsed.append(sheet.height)
        return sheet

    monkeypatch.setattr(sheet_parts, "_parse_file", counted)
    return parsed


def workbook(rows: dict[int, dict[int, object]], *, inline: bool = False, sheets=1) -> bytes:
    """A workbook whose first sheet has `rows` ({row: {column: value}}); `inline`: strings in
    the cells (xlsxwriter's constant memory), else in the shared strings part."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": inline, "in_memory": not inline})
    sheet = book.add_worksheet("名单")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for number in sorted(rows):
        for column, value in sorted(rows[number].items()):
            if isinstance(value, datetime.date):
                sheet.write_datetime(number, column, value, dates)
            elif isinstance(value, str) and value.startswith("="):
                sheet.write_formula(number, column, value, None, 7)
            else:
                sheet.write(number, column, value)
    for n in range(1, sheets):
        book.add_worksheet(f"其他{n}").write(0, 0, "不读这张表")
    book.close()
    return out.getvalue()


def random_rows(seed: int) -> dict[int, dict[int, object]]:
    """Rows with gaps, a header that starts past column A, stray cells to its left and right
    further down, empty runs of rows, numbers, dates, booleans and formulas."""
    chance = random.Random(seed)
    rows: dict[int, dict[int, object]] = {2: {2: "身份证件号", 3: "姓名", 4: "资助金额"}}
    for number in range(3, 400):
        if chance.random() < 0.15:
            continue  # an empty row
        cells: dict[int, object] = {}
        # odd seeds: no cell left of column C in the first half, so the parts start apart
        lefts = [2, 3] if seed % 2 and number < 200 else [0, 1, 2, 2, 2]
        for column in range(chance.choice(lefts), chance.choice([3, 5, 5, 8])):
            kind = chance.random()
            if kind < 0.5:
                cells[column] = f"值{number}-{column}"
            elif kind < 0.7:
                cells[column] = chance.randint(-5, 10**9) / chance.choice([1, 100])
            elif kind < 0.8:
                cells[column] = datetime.date(2000 + number % 20, 1 + number % 12, 1)
            elif kind < 0.9:
                cells[column] = chance.random() < 0.5
            else:
                cells[column] = f'=A{number}&"x"'
        rows[number] = cells
    rows[600] = {9: "末行"}  # after a long gap
    return rows


@pytest.mark.parametrize("inline", [False, True], ids=["shared strings", "inline strings"])
@pytest.mark.parametrize("parts", [2, 3, 5])
@pytest.mark.parametrize("seed", range(4))
def test_the_parts_give_the_whole_sheets_cells_row_for_row(split_small, seed, parts, inline):
    data = workbook(random_rows(seed), inline=inline, sheets=2)
    assert read(data, parts) == whole(data)
    assert len(split_small) == parts  # read in parts, not whole
    assert max(split_small) < len(whole(data)) - 2  # none of them the whole sheet


def test_the_rows_come_from_column_a_and_from_row_one_when_read_whole():
    data = workbook({3: {2: "a"}, 5: {1: 7}})
    assert list(sheet_parts.first_sheet_rows(data, lambda: None, LIMIT)) == [
        ["", "", ""],
        ["", "", ""],
        ["", "", ""],
        ["", "", "a"],
        ["", "", ""],
        ["", 7.0, ""],
    ]


def test_a_cut_falls_only_before_a_row_in_the_first_share_or_later(split_small):
    data = workbook({n: {0: f"第{n}行"} for n in range(100)}, inline=True)
    rows = read(data, 2)
    assert rows == whole(data)
    first = sheet_parts._cut(_sheet_xml(data), sheet_parts._shares(2))
    assert first is not None and len(first) == 2
    head, part, tail = first[1]
    assert bytes(part).startswith(b"<row ") and tail.startswith(b"</sheetData>")


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def _with_sheet_xml(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed by `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def _numbered(n: int) -> dict[int, dict[int, object]]:
    return {row: {0: f"第{row}行", 1: row} for row in range(n)}


@pytest.mark.parametrize(
    "change",
    [
        # a comment holding a row: cut inside it, a part would read a row that is not there
        lambda xml: xml.replace(
            b'<row r="150"', b'<!-- <row r="9"><c r="A9"/></row> --><row r="150"'
        ),
        lambda xml: xml.replace(b"</sheetData>", b"</sheetData><!-- end -->"),
        # rows and cells without their references are counted from the part's start
        lambda xml: re.sub(rb'<(row|c) r="[A-Z]*\d+"', rb"<\1", xml),
    ],
    ids=["comment in the rows", "comment after them", "rows without r"],
)
def test_a_sheet_a_cut_could_misread_is_read_whole(split_small, change):
    data = _with_sheet_xml(workbook(_numbered(300)), change)
    assert read(data, 2) == whole(data)
    assert split_small == []


def test_a_small_sheet_is_read_whole(monkeypatch):
    parsed = []
    monkeypatch.setattr(sheet_parts, "_parse_file", parsed.append)
    data = workbook(_numbered(300))
    assert read(data, 2) == whole(data)
    assert parsed == []


def test_a_small_workbook_is_read_with_no_thread_and_no_scratch_folder(
    settings, tmp_path, monkeypatch
):
    """Most lists are small: their read costs what calamine's own read costs."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(sheet_parts, "ThreadPoolExecutor", None)  # any use fails
    data = workbook(_numbered(300))
    assert read(data, 3) == whole(data)
    assert not (tmp_path / "uploads").exists()


def test_the_first_sheet_is_found_through_the_workbooks_relationships(split_small):
    """The workbook lists 乙 (the zip's sheet2.xml, its second relationship) before 甲
    (sheet1.xml): the parts are cut from 乙, the sheet calamine reads first."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheets = [book.add_worksheet(name) for name in ("甲", "乙")]
    for row in range(200):
        sheets[0].write(row, 0, f"甲{row}")
        sheets[1].write(row, 0, f"乙{row}")
    book.close()
    swapped = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(swapped, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                first, second = re.findall(rb"<sheet [^>]*/>", content)
                content = content.replace(first, b"\0").replace(second, first)
                content = content.replace(b"\0", second)
            target.writestr(info, content)
    data = swapped.getvalue()
    assert read(data, 2) == whole(data) == [[f"乙{row}"] for row in range(200)]
    assert len(split_small) == 2 and sum(split_small) == 200  # 乙's rows, cut in two


def test_the_check_runs_and_refuses_before_anything_is_parsed(split_small):
    data = workbook(_numbered(300))

    def refuse():
        raise UploadRejected("不是有效的 XLSX 文件", "refused")

    with pytest.raises(UploadRejected):
        read(data, 2, check=refuse)
    assert split_small == []


def test_a_part_calamine_refuses_leaves_the_rows_to_the_whole_sheets_read(split_small, monkeypatch):
    parse = sheet_parts._parse_file

    def refuse_the_second(path):
        if path.name == "1.xlsx":
            raise CalamineError("refused")
        return parse(path)

    monkeypatch.setattr(sheet_parts, "_parse_file", refuse_the_second)
    data = workbook(_numbered(300), inline=True)
    assert read(data, 3) == whole(data)


def test_a_file_refused_by_calamine_after_the_first_part_is_the_readers_error(monkeypatch):
    """The first part's rows are read, then the rest cannot be: TableError, in Chinese."""
    monkeypatch.setattr(sheet_parts, "SPLIT_FROM", 0)
    parse = sheet_parts._parse_file

    def refuse_later(path):
        if path.name != "0.xlsx":
            raise CalamineError("refused")
        return parse(path)

    def refuse_whole(data):
        raise CalamineError("refused")

    monkeypatch.setattr(sheet_parts, "_parse_file", refuse_later)
    monkeypatch.setattr(sheet_parts, "_whole", refuse_whole)
    data = workbook({0: {0: "身份证件号"}, **{n: {0: f"ID{n}"} for n in range(1, 300)}})
    with pytest.raises(TableError) as refused:
        read_columns(data, [Column("id_number", "身份证件号")], name="名单.xlsx")
    assert [p.message for p in refused.value.problems] == ["XLSX 文件无法读取，请用 Excel 重新保存"]


def test_reading_in_parts_or_whole_gives_the_same_columns(monkeypatch):
    """A header that starts in column B, stray cells to its left further down: the same
    values under the same names, and the same rows kept, either way."""
    rows = {0: {1: "身份证件号", 2: "姓名"}}
    rows.update({n: {1: f"ID{n}", 2: f"名{n}"} for n in range(1, 400)})
    rows[350] = {0: "左边的字"}  # a row with a cell outside the columns only
    data = workbook(rows, inline=True)
    columns = [Column("id_number", "身份证件号"), Column("name", "姓名")]
    plain = read_columns(data, columns, name="名单.xlsx")
    monkeypatch.setattr(sheet_parts, "SPLIT_FROM", 0)
    cut = read_columns(data, columns, name="名单.xlsx")
    assert cut.rows == plain.rows
    assert (351, {"id_number": "", "name": ""}) in cut.rows


def test_leaving_the_rows_early_removes_the_parts_files(split_small, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = sheet_parts.first_sheet_rows(workbook(_numbered(300)), lambda: None, LIMIT)
    next(rows)
    assert list((tmp_path / "uploads").iterdir())
    rows.close()
    assert list((tmp_path / "uploads").iterdir()) == []


def test_an_entry_is_inflated_as_zipfile_inflates_it_and_a_wrong_crc_refused():
    data = workbook(_numbered(300))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
        assert entry.compress_type == zipfile.ZIP_DEFLATED
        assert sheet_parts._read_entry(data, entry) == archive.read(entry)
    entry.CRC ^= 1
    with pytest.raises(zipfile.BadZipFile):
        sheet_parts._read_entry(data, entry)


def test_a_sheet_inflating_to_more_than_its_declared_size_is_not_inflated_beyond_it(monkeypatch):
    data = workbook(_numbered(300))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    inflated = []
    real = sheet_parts.isal_zlib.decompressobj

    class Counting:
        def __init__(self, wbits):
            self._inflater = real(wbits)

        def decompress(self, raw, limit):
            inflated.append(len(out := self._inflater.decompress(raw, limit)))
            return out

    monkeypatch.setattr(sheet_parts.isal_zlib, "decompressobj", Counting)
    entry.file_size = 1000  # the zip says less than the stream holds
    with pytest.raises(zipfile.BadZipFile):
        sheet_parts._read_entry(data, entry)
    assert inflated == [1001]


def test_a_large_sheet_whose_deflate_stream_is_broken_is_refused_as_damaged(monkeypatch):
    monkeypatch.setattr(sheet_parts, "SPLIT_FROM", 0)
    data = bytearray(workbook(_numbered(3000)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        entry = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack_from("<HH", data, entry.header_offset + 26)
    start = entry.header_offset + 30 + name_length + extra_length
    data[start : start + 64] = bytes(range(200, 255)) + bytes(9)  # not a deflate stream
    with pytest.raises(TableError, match="已损坏"):
        read_columns(bytes(data), [Column("第0行", "a")], name="list.xlsx")
