"""One small generated PDF for each demo voucher, judged and stored exactly as an uploaded file
is (zizhu.lib.uploads.check_attachment, zizhu.vouchers.services.stored_file), its rows written
in one bulk insert."""

from zizhu.lib.bulk import insert_rows
from zizhu.lib.pdf import pdf_from_objects
from zizhu.lib.uploads import check_attachment
from zizhu.vouchers.models import VoucherFile
from zizhu.vouchers.services import remove_stored, stored_file

FILE_COLUMNS = ["voucher", "file", "name", "content_type", "size", "sha256"]


def _text(value: str) -> bytes:
    escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("ascii", "replace") + b")"


def voucher_pdf(lines: list[str]) -> bytes:
    """A one-page A6 PDF showing `lines` (ASCII) in Helvetica, with a correct
    cross-reference table."""
    shown = b" T* ".join(_text(line) + b" Tj" for line in lines)
    stream = b"BT /F1 11 Tf 14 TL 24 260 Td " + shown + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_from_objects(objects)


def demo_voucher_files(vouchers) -> int:
    """Store one PDF for each voucher of `vouchers` (a queryset of file-less vouchers) and
    insert the file rows; returns how many. A failure removes the files already written."""
    rows = vouchers.order_by("pk").values_list(
        "pk", "unit__code", "year", "project__code", "students", "amount", "note"
    )
    stored: list[str] = []
    records = []
    try:
        for pk, school, year, project, students, amount, note in rows.iterator(chunk_size=2000):
            data = voucher_pdf(
                [
                    "Zizhu demo - payment voucher",
                    f"Voucher {pk}  school {school}",
                    f"Year {year}  project {project}",
                    f"Students aided {students}",
                    f"Amount paid {amount} yuan",
                ]
            )
            name = f"{note or '支付凭证'}回单.pdf"
            record = stored_file(
                voucher_id=pk, name=name, data=data, info=check_attachment(name, data)
            )
            stored.append(record.file.name)
            records.append(
                (pk, record.file.name, record.name, record.content_type, record.size, record.sha256)
            )
        return insert_rows(VoucherFile, FILE_COLUMNS, records)
    except BaseException:
        remove_stored(stored)
        raise
