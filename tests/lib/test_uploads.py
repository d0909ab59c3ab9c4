"""Upload checks: XLSX structure before calamine, attachments by content, download names.

Every file here is built in the test: XLSX parts by hand with zipfile, a PDF with a correct
xref, a PNG from zlib and struct, a JPEG from its segments (structurally complete, not
decodable: no real Huffman data).
"""

import io
import os
import re
import struct
import warnings
import zipfile
import zlib
from urllib.parse import unquote

import pytest

from zizhu.lib.tabular import Column, read_table
from zizhu.lib.uploads import (
    MB,
    SpreadsheetLimits,
    UploadRejected,
    check_xlsx,
    content_disposition_attachment,
    random_storage_name,
)
from zizhu.lib.uploads.spreadsheets import _CHUNK

# XLSX built part by part

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
PARTS = {
    "[Content_Types].xml": (
        f'<?xml version="1.0"?><Types xmlns="{PACKAGE}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
        '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        '<sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>amount</t></is></c></row>'
)
DATA_ROW = (
    '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>1000</v></c></row>'
).encode()


def workbook(
    rows: bytes = HEADER_ROW + DATA_ROW,
    *,
    after_rows: bytes = b"",
    parts: dict[str, bytes | str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    sheet = (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
        + rows
        + b"</sheetData>"
        + after_rows
        + b"</worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in {**PARTS, "xl/worksheets/sheet1.xml": sheet, **(parts or {})}.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patch_entry(data: bytes, name: str, **fields: int) -> bytes:
    """Overwrite fields of an entry in both its local header and the central directory."""
    local = {"flag_bits": (6, "<H"), "crc": (14, "<I"), "file_size": (22, "<I")}
    central = {"flag_bits": (8, "<H"), "crc": (16, "<I"), "file_size": (24, "<I")}
    patched = bytearray(data)
    offset = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    directory = struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 16)[0]
    while data[directory : directory + 4] == b"PK\x01\x02":
        lengths = struct.unpack_from("<HHH", data, directory + 28)
        if data[directory + 46 : directory + 46 + lengths[0]] == name.encode():
            for field, value in fields.items():
                struct.pack_into(local[field][1], patched, offset + local[field][0], value)
                struct.pack_into(central[field][1], patched, directory + central[field][0], value)
        directory += 46 + sum(lengths)
    return bytes(patched)


def incompressible_text(size: int) -> bytes:
    return os.urandom(size // 2).hex().encode()


def rejected(call) -> str:
    """The refusal's message (Chinese, what the user sees) and, in brackets, its English
    reason (never shown): a case may name the one or the other."""
    with pytest.raises(UploadRejected) as caught:
        call()
    return f"{caught.value.message} ({caught.value.reason})"


def test_it_accepts_the_hand_built_workbook_and_calamine_reads_it():
    data = workbook()
    check_xlsx(data)

    table = read_table(data, [Column("name", "姓名"), Column("amount", "金额")], name="x.xlsx")
    assert table.rows == [(2, {"name": "张三", "amount": "1000"})]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"name,amount\r\n", "不是有效的 XLSX 文件 (not a zip archive)"),
        (b"PK\x03\x04" + bytes(100), "XLSX 文件已损坏"),
        (workbook(parts={"xl/workbook.xml": b""})[:-30], "XLSX 文件已损坏"),
    ],
    ids=["csv", "zip-magic-only", "truncated"],
)
def test_it_refuses_what_is_not_a_zip(data, reason):
    assert reason in rejected(lambda: check_xlsx(data))


def test_it_refuses_a_zip_without_a_workbook_part():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    assert "缺少 xl/workbook.xml" in rejected(lambda: check_xlsx(buffer.getvalue()))


def test_it_refuses_more_than_1000_entries_before_listing_them():
    parts = {f"xl/media/{n}.bin": b"" for n in range(1_000 - len(PARTS) - 1)}
    check_xlsx(workbook(parts=parts))  # 1,000 entries with the sheet

    parts["xl/media/one-more.bin"] = b""
    assert "超过 1000 个" in rejected(lambda: check_xlsx(workbook(parts=parts)))


def test_it_refuses_duplicate_entry_names():
    buffer = io.BytesIO(workbook())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")

    assert "重名" in rejected(lambda: check_xlsx(buffer.getvalue()))


def test_it_refuses_encrypted_entries_and_other_compression_methods():
    encrypted = patch_entry(workbook(), "xl/workbook.xml", flag_bits=0x1)
    assert "已加密" in rejected(lambda: check_xlsx(encrypted))

    bzip2 = workbook(compression=zipfile.ZIP_BZIP2)
    assert "不支持的压缩方式" in rejected(lambda: check_xlsx(bzip2))


def test_it_refuses_a_highly_compressible_entry_at_the_first_megabytes():
    bomb = io.BytesIO(workbook())
    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/zeros.bin", "w", force_zip64=True) as entry,
    ):
        for _ in range(64):
            entry.write(bytes(MB))
    assert len(bomb.getvalue()) < 200_000

    message = rejected(lambda: check_xlsx(bomb.getvalue()))
    assert (
        message
        == "XLSX 文件解压后过大或压缩比异常，疑似压缩炸弹，已拒绝 (zip bomb: inflates too much)"
    )


def test_it_refuses_an_entry_that_inflates_to_more_than_it_declares():
    text = incompressible_text(2 * MB)
    data = workbook(parts={"xl/media/lie.bin": text})
    # zipfile itself would read only the declared 1,000 bytes and find the CRC right.
    lying = patch_entry(data, "xl/media/lie.bin", file_size=1_000, crc=zlib.crc32(text[:1_000]))
    assert zipfile.ZipFile(io.BytesIO(lying)).read("xl/media/lie.bin") == text[:1_000]

    assert "实际大小与声明不符" in rejected(lambda: check_xlsx(lying))


def test_it_refuses_more_inflated_bytes_than_the_limit():
    data = workbook(parts={"xl/media/big.bin": incompressible_text(2 * MB)})
    check_xlsx(data)

    limits = SpreadsheetLimits(zip_bytes=MB)
    assert "疑似压缩炸弹" in rejected(lambda: check_xlsx(data, limits))


def test_it_refuses_a_dtd_in_any_part():
    data = workbook(parts={"xl/styles.xml": '<!DOCTYPE x [<!ENTITY a "aaaa">]><styleSheet/>'})
    assert "DTD" in rejected(lambda: check_xlsx(data))


# Cell references: calamine allocates the grid from A1 to the farthest reference


def test_it_refuses_a_tiny_file_that_would_ask_for_17_billion_cells():
    rows = HEADER_ROW + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = workbook(rows)
    assert len(data) < 2_000

    assert "数据超过 200000 行的上限" in rejected(lambda: check_xlsx(data))


@pytest.mark.parametrize(
    ("rows", "accepted"),
    [
        (b'<row r="11"><c r="A11"><v>1</v></c></row>', True),
        (b'<row r="12"><c r="A12"><v>1</v></c></row>', False),
        (b'<row r="12"><c><v>1</v></c></row>', False),
        (b'<row r="2"><c r="B12"><v>1</v></c></row>', False),
        (b'<row r="2"><c r="B0012"><v>1</v></c></row>', False),
        (b'<row r="2"><c r="CV2"><v>1</v></c></row>', True),
        (b'<row r="2"><c r="CW2"><v>1</v></c></row>', False),
        (b'<row r="2"><c r="cw2"><v>1</v></c></row>', False),
        (b'<row r="2"><c r="AAA2"><v>1</v></c></row>', False),
    ],
)
def test_it_checks_every_row_and_cell_reference_against_the_limits(rows, accepted):
    # 10 data rows + the header; 100 columns (CV)
    data = workbook(HEADER_ROW + rows)
    limits = SpreadsheetLimits(rows=10)
    if accepted:
        check_xlsx(data, limits)
    else:
        assert "上限" in rejected(lambda: check_xlsx(data, limits))


@pytest.mark.parametrize(("rows", "columns"), [(200_001, 100), (11, 3), (1_000_001, 20)])
def test_the_quick_search_finds_a_reference_wherever_the_whole_pattern_would(rows, columns):
    # a window the quick search passes is not searched with the whole pattern: every window
    # the whole pattern flags must be seen by the quick search too
    import random

    from zizhu.lib.uploads.spreadsheets import _reference_patterns, _short_references

    fast, _ = _reference_patterns(rows, columns)
    short = _short_references(rows, columns)
    draw = random.Random(17)
    letters, flagged = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz", 0
    for _ in range(30_000):
        reference = "".join(draw.choice(letters) for _ in range(draw.choice([0, 1, 1, 2, 3])))
        reference += "0" * draw.choice([0, 0, 0, 1, 3])
        reference += str(draw.randrange(1, 10 ** draw.randrange(1, 20)))
        quote = draw.choice(['"', "'"])
        window = f'<c r="{reference}{quote}>'.encode()
        for cut in (window, window[: draw.randrange(len(window))]):  # a window may end inside
            if fast.search(cut):
                flagged += 1
                assert short.search(cut), cut
    assert flagged > 1000  # the draw does reach beyond the limits


@pytest.mark.parametrize(("rows", "columns"), [(200_001, 100), (11, 3), (1_000_001, 20), (5, 0)])
def test_the_compiled_search_answers_as_the_regular_expressions(rows, columns):
    # zizhu/lib/uploads/_scan.c: whether _ODD_FORM and the quick search find something, on
    # drawn windows of cells, references, quotes, whitespace and "=", cut anywhere
    import random

    from zizhu.lib.uploads.spreadsheets import _ODD_FORM, _short_limits, _short_references

    scan = pytest.importorskip("zizhu.lib.uploads._scan").scan
    short, limits = _short_references(rows, columns), _short_limits(rows, columns)
    draw = random.Random(29)
    pieces = [
        *("r=", 'r="', "r='", '="', "= ", " =", "=\t", "\v=", "=\f", "='", "=", "r", "R"),
        *('"', "'", " ", "\n", "\r", "<c ", "/>", "<!", "x", 't="s"', "é"),
        *("A", "B", "C", "Z", "a", "AA", "0", "1", "9", "10", "99", "123456", "1048576"),
    ]
    found = {True: 0, False: 0}
    for _ in range(40_000):
        window = "".join(draw.choice(pieces) for _ in range(draw.randrange(0, 12))).encode()
        for cut in (window, window[: draw.randrange(len(window) + 1)]):
            odd = _ODD_FORM.search(cut) is not None
            expected = (odd, True) if odd else (False, short.search(cut) is not None)
            got = scan(cut, *limits)
            assert (got[0], got[1] if not got[0] else True) == expected, cut
            found[expected[1]] += 1
    assert min(found.values()) > 1000  # both answers drawn often


def test_the_zip_check_refuses_the_same_without_the_compiled_search(monkeypatch):
    pytest.importorskip("zizhu.lib.uploads._scan")
    limits = SpreadsheetLimits(rows=10, columns=3)
    cells = [
        b'<row r="12"><c r="A12"><v>1</v></c></row>',  # a row beyond the limit
        b"<row r='13'><c r = 'A13'><v>1</v></c></row>",  # the same, odd form
        b'<row r="2"><c r="D2"><v>1</v></c></row>',  # a column beyond
        b'<row r="2"><c r="A2"><v>1</v></c></row>',  # within
    ]
    answers = {}
    for native in (True, False):
        if not native:
            monkeypatch.setattr("zizhu.lib.uploads.spreadsheets._scan", None)
        for row in cells:
            data = workbook(HEADER_ROW + row)
            try:
                check_xlsx(data, limits)
                answers[native, row] = "passed"
            except UploadRejected as exc:
                answers[native, row] = exc.message
    assert [answers[True, row] for row in cells] == [answers[False, row] for row in cells]
    assert [a == "passed" for a in (answers[False, row] for row in cells)] == [0, 0, 0, 1]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (b"<c r = 'A1048576'><v>1</v></c>", "行的上限"),
        (b'<c s="0"r="XFD2"><v>1</v></c>', "列的上限"),
        (b'<c\n\tr\n=\n"XFD2"><v>1</v></c>', "列的上限"),
        (b'<c r="A000000000000000002"><v>1</v></c>', "异常的单元格引用"),
        (b'<c foo="<a:fillToRect l=\'1\'" r="XFD2"><v>1</v></c>', "列的上限"),
    ],
    ids=["spaces-and-single-quotes", "no-space-before", "newlines", "zero-padded", "fake-rect"],
)
def test_it_sees_references_in_every_form_the_parser_accepts(cell, reason):
    data = workbook(HEADER_ROW + b'<row r="2">' + cell + b"</row>")

    assert reason in rejected(lambda: check_xlsx(data))


def test_it_sees_a_reference_cut_by_a_chunk_boundary_inside_a_long_run_of_spaces():
    # Stored, not deflated, so the part is looked at in chunks of exactly _CHUNK bytes.
    start = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode() + HEADER_ROW
    opening, closing = b'<row r="2"><c r="A2" t="inlineStr"><is><t>', b"</t></is></c>"
    padding = incompressible_text(_CHUNK)[: _CHUNK - len(start) - len(opening + closing) - 100]
    cell = b"<c r" + b" " * 200 + b'="XFD2"><v>1</v></c>'
    rows = HEADER_ROW + opening + padding + closing + cell + b"</row>"
    at = len(start + opening + padding + closing)
    assert at < _CHUNK < at + len(cell)

    data = workbook(rows, compression=zipfile.ZIP_STORED)

    assert "列的上限" in rejected(lambda: check_xlsx(data))


def test_it_does_not_take_rectangles_or_page_setup_for_references():
    theme = (
        '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:gradFill>'
        '<a:path path="circle"><a:fillToRect l="50000" t="-80000" r="50000" b="180000"/>'
        '</a:path></a:gradFill><a:srcRect r="AAAA99"/></a:theme>'
    )
    page = b'<pageSetup paperSize="9" firstPageNumber="4294967295" orientation="portrait"/>'
    data = workbook(after_rows=page, parts={"xl/theme/theme1.xml": theme})

    check_xlsx(data, SpreadsheetLimits(rows=10))


def test_it_refuses_shared_strings_that_calamine_would_copy_into_too_many_cells():
    long_string = "很长的文本" * 30_000  # 450 KB in UTF-8
    strings = f'<sst xmlns="{MAIN}"><si><t>name</t></si><si><t>{long_string}</t></si></sst>'

    def cells(count: int) -> bytes:
        rows = b"".join(
            b'<row r="%d"><c r="A%d" t="s"><v>1</v></c></row>' % (n, n) for n in range(2, count + 2)
        )
        return b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + rows

    check_xlsx(workbook(cells(100), parts={"xl/sharedStrings.xml": strings}))  # 45 MB
    data = workbook(cells(1_500), parts={"xl/sharedStrings.xml": strings})  # 675 MB
    assert "共享文本展开后过大" in rejected(lambda: check_xlsx(data))
    # the cells are counted in whatever form, the shared strings before or after the sheet
    spaced = cells(1_500).replace(b't="s"', b"t = 's'")
    assert "共享文本展开后过大" in rejected(
        lambda: check_xlsx(workbook(spaced, parts={"xl/sharedStrings.xml": strings}))
    )
    parts = zipfile.ZipFile(io.BytesIO(workbook(cells(1_500))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
        for name in parts.namelist():
            archive.writestr(name, parts.read(name))
    assert "共享文本展开后过大" in rejected(lambda: check_xlsx(buffer.getvalue()))
    # without calamine's shared-string part no cell copies one: not counted, not refused
    check_xlsx(workbook(cells(1_500)))


# Names


def test_random_storage_names_carry_128_random_bits_and_the_extension():
    names = {random_storage_name(".PDF") for _ in range(100)}

    assert len(names) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}\.pdf", name) for name in names)
    for extension in ("", "../x", "p df", "toolongext"):
        with pytest.raises(ValueError):
            random_storage_name(extension)


@pytest.mark.parametrize(
    ("filename", "ascii_name", "utf8_name"),
    [
        ("2024年秋季资助名单.xlsx", "2024.xlsx", "2024年秋季资助名单.xlsx"),
        ("支付凭证.pdf", "download.pdf", "支付凭证.pdf"),
        ("résumé.pdf", "resume.pdf", "résumé.pdf"),
        ("C:\\fakepath\\凭证 1.pdf", "1.pdf", "凭证 1.pdf"),
        ("../../etc/passwd", "passwd", "passwd"),
        ('a"b\r\nSet-Cookie: x.pdf', "a_bSet-Cookie_ x.pdf", 'a"bSet-Cookie: x.pdf'),
        (".pdf", "download.pdf", "download.pdf"),
        ("", "download", "download"),
    ],
)
def test_content_disposition_downloads_under_the_given_name(filename, ascii_name, utf8_name):
    header = content_disposition_attachment(filename)

    match = re.fullmatch(r'attachment; filename="([^"\\\r\n]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert match, header
    assert match[1] == ascii_name
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", match[2])
    assert unquote(match[2]) == utf8_name
