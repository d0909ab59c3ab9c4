"""Minimal uploads for the PDF body (正文附件) and a helper to fill an authority's document."""

import zlib
from datetime import date, datetime, time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zizhu.funds.models import Allocation
from zizhu.funds.services import filing_update
from zizhu.lib.pdf import pdf_from_objects


def one_page(catalog_extra: bytes = b"") -> bytes:
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R" + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


PDF = one_page()
PDF_WITH_JAVASCRIPT = one_page(b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
HTML_NAMED_PDF = b"<!doctype html><html><script>alert(1)</script></html>"


def png() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def upload(content: bytes = PDF, name: str = "通知.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fill_document(filing, actor, **changes):
    """The document fields and the PDF an authority needs before it may submit."""
    fields = {
        "doc_number": "财教〔2025〕9号",
        "doc_date": date(2025, 3, 1),
        "doc_title": "关于下达资助资金的通知",
    } | changes
    return filing_update(
        filing=filing, version=filing.version, actor=actor, document=upload(), **fields
    )


def backdate_allocations(day: date = date(2025, 1, 2)) -> None:
    """Make every allocation dated `day`: an arrival date may not precede its allocation, and
    tests confirm receipts with arrival dates of the past."""
    moment = datetime.combine(day, time(9), tzinfo=timezone.get_current_timezone())
    Allocation.objects.update(created_at=moment)
