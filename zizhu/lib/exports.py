"""Writing tables to CSV and XLSX with formula injection neutralised."""

import csv
import io

import xlsxwriter
from django.http import HttpResponse

from zizhu.lib.uploads import content_disposition_attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    """Prefix a text cell that a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(header: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows, sheet: str = "Sheet1") -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "in_memory": True}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, [neutralise(v) for v in row])
    workbook.close()
    return buffer.getvalue()


def xlsx_response(body: bytes, filename: str) -> HttpResponse:
    """An XLSX body as a download named `filename`."""
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_attachment(filename, "export")
    return response
