"""read_table: CSV and XLSX with Chinese or English headers, checked before parsing
(docs/domain.md, formats)."""

import io
import re
import zipfile

import pytest
import xlsxwriter

from zizhu.lib.tabular import Column, Problem, TableError, decode_csv, problem_line, read_table
from zizhu.lib.uploads import MB, SpreadsheetLimits

COLUMNS = [
    Column("id_number", "身份证件号"),
    Column("name", "姓名"),
    Column("amount", "资助金额"),
    Column("phone", "联系电话", required=False),
]
ROWS = [["610102200501011234", "张三", "1000"], ["61010220050101567X", "李四", "2000"]]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "".join(",".join(row) + "\r\n" for row in rows).encode(encoding)


def xlsx_bytes(rows: list[list], *, formulas: dict[tuple[int, int], tuple[str, object]] = {}):  # noqa: B006
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet()
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    for (row, column), (formula, cached) in formulas.items():
        sheet.write_formula(row, column, formula, None, cached)
    workbook.close()
    return buffer.getvalue()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def problems(caught: pytest.ExceptionInfo[TableError]) -> str:
    return "\n".join(str(p) for p in caught.value.problems)


# Formats, encodings, headers


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_reads_csv_with_chinese_headers_in_each_accepted_encoding(tmp_path, encoding):
    path = write(
        tmp_path, "名单.csv", csv_bytes([["身份证件号", "姓名", "资助金额"], *ROWS], encoding)
    )

    table = read_table(path, COLUMNS)

    assert table.columns == ["id_number", "name", "amount"]
    assert table.rows == [
        (2, {"id_number": "610102200501011234", "name": "张三", "amount": "1000"}),
        (3, {"id_number": "61010220050101567X", "name": "李四", "amount": "2000"}),
    ]


def test_it_reads_xlsx_with_english_headers_in_any_case_and_ignores_unknown_columns(tmp_path):
    header = ["ID_Number", "remark", "Name", "AMOUNT", "phone"]
    data = xlsx_bytes([header, ["610102200501011234", "x", "张三", 1000, 13812345678]])

    table = read_table(write(tmp_path, "list.xlsx", data), COLUMNS)

    assert table.rows == [
        (
            2,
            {
                "id_number": "610102200501011234",
                "name": "张三",
                "amount": "1000",
                "phone": "13812345678",
            },
        )
    ]


def test_it_names_every_missing_required_column_on_row_one(tmp_path):
    path = write(tmp_path, "list.csv", csv_bytes([["姓名", "联系电话"], ["张三", "138"]]))

    with pytest.raises(TableError) as caught:
        read_table(path, COLUMNS)

    missing = "缺少必填列（表头写中文列名或英文列名均可）"
    assert caught.value.problems == [
        Problem(1, "id_number", missing),
        Problem(1, "amount", missing),
    ]
    # the command line names a missing column as it always has
    assert [problem_line(p, COLUMNS) for p in caught.value.problems] == [
        f"row 1\t身份证件号 (id_number)\t{missing}",
        f"row 1\t资助金额 (amount)\t{missing}",
    ]


def test_it_skips_blank_rows_but_keeps_the_file_row_numbers(tmp_path):
    rows = [["身份证件号", "姓名", "资助金额"], ROWS[0], [], [" ", "", " "], ROWS[1]]
    table = read_table(write(tmp_path, "list.csv", csv_bytes(rows)), COLUMNS)

    assert [number for number, _ in table.rows] == [2, 5]


def test_it_pads_short_csv_rows_and_strips_cells(tmp_path):
    data = "身份证件号,姓名,资助金额,联系电话\r\n 610102200501011234 , 张三 ,1000\r\n".encode()
    table = read_table(write(tmp_path, "list.csv", data), COLUMNS)

    assert table.rows == [
        (2, {"id_number": "610102200501011234", "name": "张三", "amount": "1000", "phone": ""})
    ]


def test_it_reads_bytes_and_open_files_taking_the_format_from_the_name_or_the_content():
    csv_data = csv_bytes([["身份证件号", "姓名", "资助金额"], *ROWS])
    xlsx_data = xlsx_bytes([["身份证件号", "姓名", "资助金额"], *ROWS])

    assert len(read_table(csv_data, COLUMNS, name="名单.csv").rows) == 2
    assert len(read_table(io.BytesIO(xlsx_data), COLUMNS, name="名单.XLSX").rows) == 2
    assert len(read_table(csv_data, COLUMNS).rows) == 2  # no name: not a zip, so CSV
    assert len(read_table(xlsx_data, COLUMNS).rows) == 2  # no name: a zip, so XLSX


@pytest.mark.parametrize(
    ("name", "reason"),
    [("list.xls", "不支持 .xls 格式"), ("list.txt", "不支持的文件类型 .txt")],
)
def test_it_refuses_other_file_types(tmp_path, name, reason):
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, name, b"a,b\r\n"), COLUMNS)

    assert reason in problems(caught)


# Formulas are data, never evaluated


def test_it_reads_an_xlsx_formula_as_its_cached_value_and_formula_like_text_as_text(tmp_path):
    rows = [
        ["身份证件号", "姓名", "资助金额"],
        ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", ""],
    ]
    # The cached value 7 is deliberately wrong for =1+1: the reader must not compute 2.
    data = xlsx_bytes(rows, formulas={(1, 2): ("=1+1", 7)})

    table = read_table(write(tmp_path, "list.xlsx", data), COLUMNS)

    assert table.rows == [
        (
            2,
            {
                "id_number": '=HYPERLINK("http://x")',
                "name": "=cmd|' /C calc'!A0",
                "amount": "7",
            },
        )
    ]


def test_it_reads_formula_like_csv_cells_as_text(tmp_path):
    data = csv_bytes([["身份证件号", "姓名", "资助金额"], ["=1+1", "@SUM(A1)", "+1"]])
    table = read_table(write(tmp_path, "list.csv", data), COLUMNS)

    assert table.rows == [(2, {"id_number": "=1+1", "name": "@SUM(A1)", "amount": "+1"})]


# Encodings refused


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("身份证件号,姓名,资助金额\r\n".encode("utf-16"), "UTF-16"),
        ("身份证件号,姓名,资助金额\r\n".encode("utf-16-le"), "空字节"),
        ("身份证件号,姓名\r\n".encode("utf-32"), "UTF-16/UTF-32"),
        (b"\xef\xbb\xbf\xff\xfe\xfd", "带 UTF-8 标记"),
        (bytes(range(256)) * 4, "空字节"),
        (b"\x81\x30\xff\xff", "无法识别文件编码"),
    ],
    ids=["utf-16", "utf-16-le-no-bom", "utf-32", "bad-utf-8-after-bom", "binary", "undecodable"],
)
def test_it_refuses_csv_in_other_encodings(tmp_path, data, reason):
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, "list.csv", data), COLUMNS)

    assert reason in problems(caught)
    assert caught.value.problems[0].row == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_it_checks_the_encoding_piece_by_piece_and_reads_characters_cut_between_pieces(
    tmp_path, monkeypatch, encoding
):
    from zizhu.lib.uploads import spreadsheets

    monkeypatch.setattr(spreadsheets, "_CHUNK", 5)  # every multi-byte character cut somewhere
    names = ["张三", "李四𠀋", "王五"]  # 𠀋: four bytes in either encoding
    rows = [[f"61010220050101{n:03d}X", name, "1000"] for n, name in enumerate(names)]
    data = csv_bytes([["身份证件号", "姓名", "资助金额"], *rows], encoding)
    assert spreadsheets.csv_encoding(data) == encoding

    table = read_table(write(tmp_path, "名单.csv", data), COLUMNS)

    assert [raw["name"] for _, raw in table.rows] == names
    # a bad byte in the last piece still turns UTF-8 away (to GB18030, or a refusal)
    ascii_rows = b"61010220050101001X,abc,1000\r\n" * 3
    assert spreadsheets.csv_encoding(ascii_rows + "你".encode("gb18030")) == "gb18030"
    with pytest.raises(TableError) as caught:
        read_table(ascii_rows + b"\x81\x30\xff\xff", COLUMNS, name="a.csv")
    assert "无法识别文件编码" in problems(caught)


def test_it_says_so_when_a_csv_is_really_an_xlsx(tmp_path):
    data = xlsx_bytes([["身份证件号", "姓名", "资助金额"]])
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, "list.csv", data), COLUMNS)

    assert "这是 XLSX/ZIP 文件" in problems(caught)


def test_it_refuses_an_xlsx_that_is_not_a_zip(tmp_path):
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, "list.xlsx", csv_bytes(ROWS)), COLUMNS)

    assert "不是有效的 XLSX 文件" in problems(caught)


def test_decode_csv_keeps_its_old_contract():
    assert decode_csv("姓名".encode("gb18030")) == "姓名"
    assert decode_csv(b"\xef\xbb\xbfname") == "name"
    with pytest.raises(TableError):
        decode_csv("姓名".encode("utf-16"))


# Limits


def test_it_refuses_a_csv_over_50_mb_without_reading_it(tmp_path):
    path = tmp_path / "big.csv"
    line = b"610102200501011234,\xe5\xbc\xa0\xe4\xb8\x89,1000\r\n"
    with path.open("wb") as handle:
        handle.write("身份证件号,姓名,资助金额\r\n".encode())
        handle.write(line * (50 * MB // len(line) + 1))
    assert path.stat().st_size > 50 * MB

    with pytest.raises(TableError) as caught:
        read_table(path, COLUMNS)

    assert "文件超过 50 MB 的上限" in problems(caught)


def test_it_applies_a_size_limit_given_per_call_to_bytes_and_open_files():
    data = csv_bytes([["身份证件号", "姓名", "资助金额"], *ROWS])
    assert read_table(data, COLUMNS, name="list.csv", max_bytes=len(data))
    for source in (data, io.BytesIO(data)):
        with pytest.raises(TableError, match="上限"):
            read_table(source, COLUMNS, name="list.csv", max_bytes=len(data) - 1)


def test_it_refuses_an_xlsx_over_20_mb(tmp_path):
    path = tmp_path / "big.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(20 * MB))

    with pytest.raises(TableError, match="文件超过 20 MB 的上限"):
        read_table(path, COLUMNS)


def test_it_counts_data_rows_not_blank_ones_against_the_row_limit(tmp_path):
    header = ["身份证件号", "姓名", "资助金额"]
    ten = [header, *[ROWS[0]] * 10, [], []]
    assert len(read_table(write(tmp_path, "ten.csv", csv_bytes(ten)), COLUMNS, max_rows=10).rows)

    eleven = [header, *[ROWS[0]] * 11]
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, "eleven.csv", csv_bytes(eleven)), COLUMNS, max_rows=10)
    assert "数据超过 10 行的上限" in problems(caught)


def test_it_refuses_a_csv_over_the_default_200_000_rows(tmp_path):
    rows = [["身份证件号", "姓名", "资助金额"], *[ROWS[0]] * 200_001]
    with pytest.raises(TableError, match="数据超过 200000 行的上限"):
        read_table(write(tmp_path, "big.csv", csv_bytes(rows)), COLUMNS)


def test_it_refuses_an_xlsx_over_the_row_limit_before_parsing_it(tmp_path):
    rows = [["身份证件号", "姓名", "资助金额"], *[ROWS[0]] * 11]
    path = write(tmp_path, "list.xlsx", xlsx_bytes(rows))
    assert len(read_table(path, COLUMNS, max_rows=11).rows) == 11

    with pytest.raises(TableError, match="数据超过 10 行的上限"):
        read_table(path, COLUMNS, limits=SpreadsheetLimits(rows=10))


def test_it_reports_the_row_of_a_malformed_csv_line(tmp_path):
    rows = [["身份证件号", "姓名", "资助金额"], ROWS[0], ["1", "x" * 200_000, "1"]]
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, "list.csv", csv_bytes(rows)), COLUMNS)

    assert caught.value.problems == [
        Problem(
            3,
            "",
            "CSV 格式错误：有单元格超过 131072 个字符，请检查文件中的引号是否成对，"
            "或用 Excel 重新另存为 CSV",
        )
    ]


def english_words(message: str) -> list[str]:
    """Lower-case English words of a message (file suffixes such as .xls aside): a Chinese
    message has none; CSV, XLSX, UTF-8, GB18030, Excel are names."""
    return re.findall(r"(?<![.\w])[a-z]{2,}\b", message)


def test_english_words_finds_an_english_tail():
    assert english_words("缺少必填列 (missing column)") == ["missing", "column"]
    assert english_words("不支持 .xls 格式，请用 Excel 另存为 XLSX 或 CSV") == []


@pytest.mark.parametrize(
    ("name", "data", "limits"),
    [
        ("list.xls", b"a,b\r\n", None),
        ("list.txt", b"a,b\r\n", None),
        ("list.csv", b"", None),
        ("list.csv", "身份证件号\r\n".encode("utf-16"), None),
        ("list.csv", b"%PDF-1.7", None),
        ("list.csv", b"\x81\x30\xff\xff", None),
        ("list.csv", csv_bytes([["姓名"], ["张三"]]), None),
        (
            "list.csv",
            csv_bytes([["身份证件号", "姓名", "资助金额"], ["1", "x" * 200_000, "1"]]),
            None,
        ),
        (
            "list.csv",
            csv_bytes([["身份证件号", "姓名", "资助金额"], *ROWS]),
            SpreadsheetLimits(rows=1),
        ),
        (
            "list.csv",
            csv_bytes([["身份证件号", "姓名", "资助金额"], *ROWS]),
            SpreadsheetLimits(csv_bytes=10),
        ),
        ("list.xlsx", b"PK\x03\x04 not a zip", None),
    ],
    ids=[
        "xls",
        "txt",
        "empty",
        "utf-16",
        "pdf",
        "undecodable",
        "missing columns",
        "malformed",
        "rows",
        "size",
        "broken xlsx",
    ],
)
def test_every_refusal_of_a_file_is_in_chinese_only(tmp_path, name, data, limits):
    with pytest.raises(TableError) as caught:
        read_table(write(tmp_path, name, data), COLUMNS, limits=limits or SpreadsheetLimits())

    messages = [p.message for p in caught.value.problems]
    assert messages and all(re.search(r"[\u4e00-\u9fff]", m) for m in messages), messages
    assert [english_words(m) for m in messages] == [[]] * len(messages), messages


def test_it_refuses_a_zip_bomb_named_xlsx(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            zeros = bytes(MB)
            for _ in range(100):
                entry.write(zeros)
    assert path.stat().st_size < MB

    with pytest.raises(TableError) as caught:
        read_table(path, COLUMNS)

    assert "疑似压缩炸弹" in problems(caught)
    assert caught.value.problems[0].row == 0


def test_it_refuses_an_xlsx_that_calamine_cannot_read(tmp_path):
    path = tmp_path / "list.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook")

    with pytest.raises(TableError, match="XLSX 文件无法读取"):
        read_table(path, COLUMNS)
