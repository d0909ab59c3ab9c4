"""Attachments by content: PDF, JPEG and PNG structure, refusals and their reasons.

The files here are built by hand, byte by byte (a PDF with a correct xref, a PNG from zlib and
struct, a JPEG from its segments: structurally complete but not decodable), so that each
structural fault can be planted; the library-made files of tests/hostile_files.py stand for
what real senders make (tests/lib/test_pdf_actions.py, tests/lib/test_image_reencoding.py).
"""

import contextlib
import functools
import io
import os
import random
import re
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from tests.hostile_files import (
    HTML_PAGE,
    MZ_HEADER,
    pdf_with_action,
    photo_jpeg,
    plain_jpeg,
    plain_pdf,
    screenshot_png,
)
from zizhu.lib.uploads import MB, UploadRejected, check_attachment


def rejected(call) -> str:
    """The refusal's message (Chinese, what the user sees) and, in brackets, its English
    reason (never shown): a case may name the one or the other."""
    with pytest.raises(UploadRejected) as caught:
        call()
    return f"{caught.value.message} ({caught.value.reason})"


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    return buffer.getvalue()


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


def jpeg(
    width: int = 2, height: int = 2, *, after: bytes = b"", frame: bool = True, table: int = 0
) -> bytes:
    """Segments a JPEG parser walks through; `table` is the quantisation table the component
    uses (only table 0 is defined: 1 makes a file no decoder opens)."""
    parts = [
        b"\xff\xd8",
        segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        segment(0xDB, b"\x00" + bytes(range(1, 65))),
        segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11" + bytes([table]))
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
        ("凭证.PNG", screenshot_png(), "png", "image/png", "png"),
        ("凭证.jpg", photo_jpeg(), "jpeg", "image/jpeg", "jpg"),
        ("凭证.jpeg", photo_jpeg(), "jpeg", "image/jpeg", "jpg"),
    ],
    ids=["pdf", "png", "jpg", "jpeg"],
)
def test_it_accepts_valid_files(name, data, kind, content_type, extension):
    info = check_attachment(name, data)

    assert (info.kind, info.content_type, info.extension, info.size) == (
        kind,
        content_type,
        extension,
        len(info.content),
    )
    if kind == "pdf":
        assert info.content == data  # a PDF is stored as it came
    else:
        assert Image.open(io.BytesIO(info.content)).format == kind.upper()


def test_the_content_decides_when_the_extension_disagrees():
    # A PNG saved as .pdf or .jpg (as phones and chat apps do) is stored and served as a PNG.
    assert check_attachment("凭证.pdf", screenshot_png()).extension == "png"
    assert check_attachment("photo.jpg", screenshot_png()).content_type == "image/png"
    assert check_attachment("scan.png", pdf()).kind == "pdf"


def test_it_reads_an_open_file_from_the_start_and_rewinds_it():
    handle = io.BytesIO(pdf())
    handle.seek(0, io.SEEK_END)

    assert check_attachment("凭证.pdf", handle).kind == "pdf"
    assert handle.tell() == 0


def test_it_accepts_harmless_pdf_actions_links_and_object_streams():
    catalog = b"/OpenAction [3 0 R /Fit] "
    link = b"<< /Type /Annot /Subtype /Link /A << /S /GoTo /D [3 0 R /Fit] >> >>"
    named = b"<< /Type /Annot /Subtype /Link /A << /S /Named /N /NextPage >> >>"
    fonts = object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")

    check_attachment("凭证.pdf", pdf(catalog=catalog, objects=(link, named, fonts)))


def test_it_accepts_data_after_a_jpeg_end_marker_that_phones_append_and_drops_it():
    motion_photo = b"\x00\x00\x00\x18ftypmp42" + os.urandom(4_000).replace(b"PK", b"pk")
    gain_map = plain_jpeg(16, 16)
    photo = photo_jpeg()

    info = check_attachment("photo.jpg", photo + gain_map + motion_photo)

    assert info.content == check_attachment("photo.jpg", photo).content
    assert info.content.endswith(b"\xff\xd9") and info.content.count(b"\xff\xd9") == 1


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
    "zip after EOI": ("凭证.jpg", jpeg(after=a_zip()), "结束标记后附带了其他文件"),
    "MZ header after EOI": ("凭证.jpg", photo_jpeg(after=MZ_HEADER), "结束标记后附带了其他文件"),
    "MZ header after padding": (
        "凭证.jpg",
        photo_jpeg(after=bytes(16) + MZ_HEADER),
        "结束标记后附带了其他文件",
    ),
    "HTML link after EOI": ("凭证.jpg", photo_jpeg(after=HTML_PAGE), "结束标记后附带了其他文件"),
    "JPEG that does not decode": ("凭证.jpg", jpeg(table=1), "图片无法完整解码"),
    "PNG whose pixels do not inflate": (
        "凭证.png",
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + png_chunk(b"IDAT", b"not zlib at all")
        + png_chunk(b"IEND", b""),
        "图片无法完整解码",
    ),
    "JPEG of 4 billion pixels": ("凭证.jpg", jpeg(65_535, 65_535), "像素的上限"),
    "PDF truncated": ("凭证.pdf", pdf()[:-100], "PDF 文件不完整"),
    "PDF OpenAction JavaScript": (
        "凭证.pdf",
        pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> "),
        "文件含有自动执行的动作（运行脚本），已拒收",
    ),
    "PDF escaped names": (
        "凭证.pdf",
        pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> "),
        "文件含有自动执行的动作（运行脚本），已拒收",
    ),
    "PDF additional action, a plain go-to (refused by the byte search)": (
        "凭证.pdf",
        pdf(catalog=b"/AA << /WC 5 0 R >> ", objects=(b"<< /S /GoTo /D [3 0 R /Fit] >>",)),
        "PDF 含有脚本",
    ),
    "PDF Launch": (
        "凭证.pdf",
        pdf(catalog=b"/OpenAction << /S /Launch /F (C:\\\\Windows\\\\calc.exe) >> "),
        "文件含有自动执行的动作（启动程序），已拒收",
    ),
    "PDF embedded file": (
        "凭证.pdf",
        pdf(catalog=b"/Names << /EmbeddedFiles 5 0 R >> ", objects=(b"<< /Names [] >>",)),
        "文件含有嵌入的文件，已拒收",
    ),
    # Objects of an object stream the cross-reference table does not list: qpdf never reads
    # them, the byte search does.
    "PDF JavaScript in an unlisted object stream": (
        "凭证.pdf",
        pdf(
            catalog=b"/OpenAction 20 0 R ",
            objects=(object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),),
        ),
        "PDF 含有脚本",
    ),
    "PDF /JS alone in an unlisted object stream": (
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


@pytest.mark.parametrize(("name", "data", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_the_message_of_a_refusal_is_chinese_only(name, data, reason):
    """What a page shows has no English words (the English reason is kept apart); PDF, JPEG,
    PNG, HEIC, MB and the like are names."""
    with pytest.raises(UploadRejected) as caught:
        check_attachment(name, data)
    assert re.search(r"[\u4e00-\u9fff]", caught.value.message)
    assert re.findall(r"(?<![.\w])[a-z]{2,}\b", caught.value.message) == []
    assert caught.value.reason


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


def test_an_action_type_that_is_not_a_name_is_refused_not_a_crash():
    data = pdf(catalog=b"/OpenAction << /S /U#BD#A4 >> ")  # a name that is not UTF-8

    assert "文件含有自动执行的动作" in rejected(lambda: check_attachment("凭证.pdf", data))


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow on a mangled EXIF block
def test_mangled_files_are_accepted_or_refused_never_a_crash():
    seeds = [
        ("凭证.pdf", plain_pdf(object_streams=True)),
        ("凭证.pdf", pdf_with_action("link", "URI")),
        ("照片.jpg", photo_jpeg()),
        ("截图.png", screenshot_png()),
    ]
    chance = random.Random(7)
    for _ in range(1500):
        name, data = chance.choice(seeds)
        mangled = bytearray(data)
        for _ in range(chance.randint(1, 8)):
            at = chance.randrange(len(mangled))
            mangled[at : at + chance.randint(0, 3)] = chance.randbytes(chance.randint(0, 3))
        with contextlib.suppress(UploadRejected):
            check_attachment(name, bytes(mangled))


def test_it_refuses_broken_images_after_weasyprint_loosened_pillow():
    # WeasyPrint (the manual's PDF) sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        for name in ("JPEG that does not decode", "PNG whose pixels do not inflate"):
            file_name, data, reason = REFUSED[name]
            assert reason in rejected(functools.partial(check_attachment, file_name, data))
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
