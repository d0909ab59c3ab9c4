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
    check_attachment,
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
    with pytest.raises(UploadRejected) as caught:
        call()
    return caught.value.message


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


# Attachments: minimal valid files


def pdf(*, catalog: bytes = b"", objects: tuple[bytes, ...] = (), trailer: bytes = b"") -> bytes:
    """A one-page PDF with a correct xref; `objects` are numbered from 5."""
    body = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        stream(b"BT /F1 12 Tf 20 100 Td (voucher) Tj ET"),
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(body, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(body) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(body) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, dictionary: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), dictionary, data)


def object_stream(*objects: bytes, filter: bytes = b"/FlateDecode") -> bytes:
    offsets, body = [], b""
    for content in objects:
        offsets.append(len(body))
        body += content + b"\n"
    header = b" ".join(b"%d %d" % (20 + i, at) for i, at in enumerate(offsets)) + b"\n"
    raw = header + body
    data = zlib.compress(raw) if filter == b"/FlateDecode" else raw.hex().encode() + b">"
    return stream(
        data, b"/Type /ObjStm /N %d /First %d /Filter %s " % (len(objects), len(header), filter)
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2, *, after: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(
        b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(min(height, 4)))
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
        + after
    )


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(width: int = 2, height: int = 2, *, after: bytes = b"", frame: bool = True) -> bytes:
    parts = [
        b"\xff\xd8",
        segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        segment(0xDB, b"\x00" + bytes(range(1, 65))),
        segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
        if frame
        else b"",
        segment(0xC4, b"\x00" + bytes([1] + [0] * 15) + b"\x00"),
        segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        b"\x12\xff\x00\x34\xff\xd0\x56",  # entropy-coded data with a stuffed 0xFF and RST0
        b"\xff\xd9",
    ]
    return b"".join(parts) + after


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type", "extension"),
    [
        ("凭证.pdf", pdf(), "pdf", "application/pdf", "pdf"),
        ("凭证.PNG", png(), "png", "image/png", "png"),
        ("凭证.jpg", jpeg(), "jpeg", "image/jpeg", "jpg"),
        ("凭证.jpeg", jpeg(), "jpeg", "image/jpeg", "jpg"),
    ],
)
def test_it_accepts_minimal_valid_files(name, data, kind, content_type, extension):
    info = check_attachment(name, data)

    assert (info.kind, info.content_type, info.extension, info.size) == (
        kind,
        content_type,
        extension,
        len(data),
    )


def test_the_content_decides_when_the_extension_disagrees():
    # A PNG saved as .pdf or .jpg (as phones and chat apps do) is stored and served as a PNG.
    assert check_attachment("凭证.pdf", png()).extension == "png"
    assert check_attachment("photo.jpg", png()).content_type == "image/png"
    assert check_attachment("scan.png", pdf()).kind == "pdf"


def test_it_reads_an_open_file_from_the_start_and_rewinds_it():
    handle = io.BytesIO(pdf())
    handle.seek(0, io.SEEK_END)

    assert check_attachment("凭证.pdf", handle).kind == "pdf"
    assert handle.tell() == 0


def test_it_accepts_harmless_pdf_actions_links_and_object_streams():
    catalog = b"/OpenAction [3 0 R /Fit] "
    link = b"<< /Type /Annot /Subtype /Link /A << /S /URI /URI (https://example.org) >> >>"
    fonts = object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    check_attachment("凭证.pdf", pdf(catalog=catalog, objects=(link, fonts)))


def test_it_accepts_data_after_a_jpeg_end_marker_that_phones_append():
    motion_photo = b"\x00\x00\x00\x18ftypmp42" + os.urandom(4_000).replace(b"PK", b"pk")
    gain_map = jpeg()

    check_attachment("photo.jpg", jpeg(after=gain_map + motion_photo))


# Attachments: what is refused, and why

ELF = b"\x7fELF\x02\x01\x01" + bytes(100)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"

REFUSED = {
    # name: (file name, content, expected reason)
    "empty": ("凭证.pdf", b"", "文件为空"),
    "other extension": ("凭证.exe", pdf(), "只能上传 PDF、JPG、JPEG、PNG"),
    "no extension": ("凭证", pdf(), "只能上传 PDF、JPG、JPEG、PNG"),
    "ELF named .pdf": ("凭证.pdf", ELF, "可执行文件"),
    "PE named .pdf": ("凭证.pdf", b"MZ\x90\x00" + bytes(100), "可执行文件"),
    "Mach-O named .pdf": ("凭证.pdf", b"\xcf\xfa\xed\xfe" + bytes(100), "可执行文件"),
    "script named .pdf": ("凭证.pdf", b"#!/bin/sh\nrm -rf /\n", "可执行文件"),
    "SVG named .png": ("凭证.png", SVG, "SVG、HTML 或 XML"),
    "SVG with BOM and XML declaration": (
        "凭证.png",
        b'\xef\xbb\xbf \n<?xml version="1.0"?>' + SVG,
        "SVG、HTML 或 XML",
    ),
    "HTML named .jpg": ("凭证.jpg", HTML, "SVG、HTML 或 XML"),
    "HEIC": ("photo.jpg", b"\x00\x00\x00\x18ftypheic" + bytes(100), "HEIC"),
    "GIF": ("凭证.png", b"GIF89a" + bytes(100), "不是 PDF、JPG 或 PNG"),
    "PNG header then HTML": ("凭证.png", b"\x89PNG\r\n\x1a\n" + HTML, "PNG 文件结构错误"),
    "HTML after IEND": ("凭证.png", png(after=HTML), "结束标记后还有其他数据"),
    "PNG bad CRC": ("凭证.png", png()[:41] + b"\x00" + png()[42:], "PNG 文件校验错误"),
    "PNG without IHDR first": (
        "凭证.png",
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"tEXt", b"a\x00b") + png()[8:],
        "IHDR is not the first chunk",
    ),
    "PNG without IDAT": (
        "凭证.png",
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + png_chunk(b"IEND", b""),
        "没有图像数据",
    ),
    "PNG truncated": ("凭证.png", png()[:-12], "PNG 文件不完整"),
    "PNG of 10 billion pixels": ("凭证.png", png(100_000, 100_000), "像素的上限"),
    "JPEG that is not": ("凭证.jpg", b"\xff\xd8\xff" + HTML, "JPEG 文件结构错误"),
    "JPEG without EOI": ("凭证.jpg", jpeg()[:-2], "JPEG 文件不完整"),
    "JPEG scan before frame": ("凭证.jpg", jpeg(frame=False), "scan before frame"),
    "HTML after EOI": ("凭证.jpg", jpeg(after=HTML), "结束标记后附带了其他文件"),
    "SVG after EOI": ("凭证.jpg", jpeg(after=b"\n" + SVG), "结束标记后附带了其他文件"),
    "zip after EOI": ("凭证.jpg", jpeg(after=workbook()), "结束标记后附带了其他文件"),
    "JPEG of 4 billion pixels": ("凭证.jpg", jpeg(65_535, 65_535), "像素的上限"),
    "PDF truncated": ("凭证.pdf", pdf()[:-100], "PDF 文件不完整"),
    "PDF OpenAction JavaScript": (
        "凭证.pdf",
        pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
        "PDF 含有脚本",
    ),
    "PDF escaped names": (
        "凭证.pdf",
        pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "),
        "PDF 含有脚本",
    ),
    "PDF additional actions": (
        "凭证.pdf",
        pdf(catalog=b"/AA << /WC 5 0 R >> ", objects=(b"<< /S /GoTo /D [3 0 R /Fit] >>",)),
        "PDF 含有脚本",
    ),
    "PDF Launch": (
        "凭证.pdf",
        pdf(catalog=b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\calc.exe) >> "),
        "PDF 含有脚本",
    ),
    "PDF embedded file": (
        "凭证.pdf",
        pdf(catalog=b"/Names << /EmbeddedFiles 5 0 R >> ", objects=(b"<< /Names [] >>",)),
        "PDF 含有脚本",
    ),
    "PDF JavaScript in an object stream": (
        "凭证.pdf",
        pdf(
            catalog=b"/OpenAction 20 0 R ",
            objects=(object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),),
        ),
        "PDF 含有脚本",
    ),
    "PDF /JS alone in an object stream": (
        "凭证.pdf",
        pdf(objects=(object_stream(b"<< /Type /Annot /A << /JS 21 0 R >> >>", b"(x)"),)),
        "PDF 含有脚本",
    ),
    "PDF object stream with another filter": (
        "凭证.pdf",
        pdf(objects=(object_stream(b"<< /Type /Font >>", filter=b"/ASCIIHexDecode"),)),
        "无法检查的压缩方式",
    ),
    "PDF encrypted with object streams": (
        "凭证.pdf",
        pdf(
            objects=(object_stream(b"<< >>"), b"<< /Filter /Standard >>"),
            trailer=b"/Encrypt 6 0 R ",
        ),
        "PDF 已加密",
    ),
}


@pytest.mark.parametrize(("name", "data", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_it_refuses_hostile_or_broken_attachments(name, data, reason):
    assert reason in rejected(lambda: check_attachment(name, data))


def test_it_refuses_a_pdf_whose_object_stream_inflates_beyond_50_mb():
    bomb = stream(
        zlib.compress(bytes(51 * MB), 9), b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode "
    )
    data = pdf(objects=(bomb,))
    assert len(data) < 100_000

    assert "解压后过大" in rejected(lambda: check_attachment("凭证.pdf", data))


def test_it_refuses_files_over_the_size_limit():
    data = pdf()
    big = data[:20] + b"%" + b"x" * (10 * MB) + b"\n" + data[20:]
    assert "文件超过 10 MB 的上限" in rejected(lambda: check_attachment("凭证.pdf", big))
    assert "上限" in rejected(lambda: check_attachment("凭证.pdf", data, max_bytes=len(data) - 1))
    assert "上限" in rejected(lambda: check_attachment("凭证.pdf", io.BytesIO(big)))


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
