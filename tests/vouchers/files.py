"""Small real files to upload, written by hand: a one-page PDF, a 2×2 PNG and an 8×8 grey
baseline JPEG that image decoders open; and hostile files, some made by pikepdf and Pillow
(tests/hostile_files.py)."""

import struct
import zlib
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.hostile_files import MZ_HEADER, pdf_with_action, pdf_with_embedded_file
from zizhu.lib.pdf import pdf_from_objects


def pdf(catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table; `catalog_extra` goes into the
    catalogue dictionary (e.g. an /OpenAction)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    return pdf_from_objects(objects)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 2, height: int = 2) -> bytes:
    """An RGB PNG, every row filter 0, all pixels red."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg() -> bytes:
    """An 8×8 grey baseline JPEG: one component, one block whose DC difference and AC
    coefficients are all zero. Each Huffman table has one 1-bit code "0" (DC category 0,
    AC end-of-block), so the scan is the bits 00 padded with ones: 0x3F."""
    one_code = bytes([1] + [0] * 15) + b"\x00"
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, b"\x00" + b"\x01" * 64),
            _segment(0xC0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00"),
            _segment(0xC4, b"\x00" + one_code + b"\x10" + one_code),
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            b"\x3f",
            b"\xff\xd9",
        ]
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."

# (file name, content, the English reason the refusal names)
HOSTILE = {
    "png_header_then_html": ("photo.png", b"\x89PNG\r\n\x1a\n" + HTML, "PNG 文件结构错误"),
    "png_then_html": ("photo.png", png() + HTML, "PNG 文件结束标记后还有其他数据"),
    "svg": ("drawing.svg", SVG, "只能上传 PDF、JPG、JPEG、PNG 文件"),
    "svg_named_png": ("drawing.png", SVG, "不能上传 SVG、HTML 或 XML 文件"),
    "exe_named_pdf": ("invoice.pdf", EXE, "不能上传可执行文件或脚本"),
    "pdf_open_action_javascript": (
        "voucher.pdf",
        pdf(b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        "文件含有自动执行的动作（运行脚本），已拒收",
    ),
    "pdf_js": (
        "voucher.pdf",
        pdf(b" /OpenAction << /JS (app.alert(1)) >>"),
        "文件含有自动执行的动作（运行脚本），已拒收",
    ),
    "empty": ("empty.pdf", b"", "文件为空"),
    "pdf_open_action_uri_in_object_stream": (
        "voucher.pdf",
        pdf_with_action("open_action", "URI", object_streams=True),
        "文件含有自动执行的动作（打开链接），已拒收",
    ),
    "pdf_link_to_unc_path": (
        "voucher.pdf",
        pdf_with_action("link", "GoToR"),
        "文件含有动作（打开其他文件），已拒收",
    ),
    "pdf_embedded_file": ("voucher.pdf", pdf_with_embedded_file(), "文件含有嵌入的文件，已拒收"),
    "jpeg_then_mz_header": ("photo.jpg", jpeg() + MZ_HEADER, "JPEG 文件结束标记后附带了其他文件"),
}


def stored_files() -> list[Path]:
    """The files in the vouchers' storage folder."""
    folder = Path(settings.MEDIA_ROOT) / "vouchers"
    return sorted(folder.iterdir()) if folder.exists() else []


def snapshot(voucher) -> tuple:
    """What an edit may change: the fields, the version, the file rows and the stored files."""
    fresh = type(voucher).objects.get(pk=voucher.pk)
    files = list(fresh.files.order_by("pk").values_list("name", "file"))
    return (fresh.students, fresh.amount, fresh.note, fresh.version, files, stored_files())
