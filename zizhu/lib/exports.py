"""The one way the product writes tables to XLSX and CSV.

A table is a list of typed columns and an iterable of rows. Each column type decides how a
value is written: text is always a string cell (never a formula, never a hyperlink, with an
apostrophe before a leading = + - @ tab CR LF so no spreadsheet evaluates it), numbers and
amounts are numeric cells with a number format, dates and times are date cells in local time
(settings.TIME_ZONE, Asia/Shanghai). Column widths follow the widest value written. CSV starts
with a UTF-8 byte order mark so Excel reads the Chinese correctly.

Callers pass values already translated for people: Chinese labels of choices, never the codes
(`label(Choices, value)` helps); `export_response` makes the download.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from zizhu.lib.uploads import content_disposition_attachment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

TEXT = "text"
CODE = "code"  # text that must stay text when typed into: ID, phone and card numbers
INTEGER = "integer"
YEAR = "year"  # a whole number shown without a thousands separator
AMOUNT = "amount"
PERCENT = "percent"  # given in percent points (87.5 means 87.5 %)
DATE = "date"
DATETIME = "datetime"

NUMBER_FORMATS = {
    CODE: "@",
    INTEGER: "#,##0",
    YEAR: "0",
    AMOUNT: "#,##0.00",
    PERCENT: "0.0%",
    DATE: "yyyy-mm-dd",
    DATETIME: "yyyy-mm-dd hh:mm:ss",
}
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Column:
    header: "StrOrPromise"  # a lazy translation is turned into text when written
    kind: str = TEXT

    def __post_init__(self):
        if self.kind not in (TEXT, *NUMBER_FORMATS):
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    """Columns, rows (any iterable, read once) and an optional total row after them."""

    columns: Sequence[Column]
    rows: Iterable[Sequence]
    sheet: "StrOrPromise" = "Sheet1"
    total: Sequence | None = None
    written: int = field(default=0, init=False)  # body rows written, for audit details

    @property
    def headers(self) -> list[str]:
        return [str(c.header) for c in self.columns]

    def body(self):
        for row in self.rows:
            self.written += 1
            yield row


def label(choices, value) -> str:
    """The human label of a choice value ("" for empty; the value itself when unknown)."""
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def neutralise(value):
    """Prefix a text cell that a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def local(value: datetime) -> datetime:
    """An aware datetime in local time without its zone (spreadsheets have none)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def _text(value) -> str:
    if value is None:
        return ""
    return neutralise(str(value))


def display_width(text: str) -> int:
    """Columns a text needs: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shown(kind: str, value) -> str:
    """The text a cell displays, for sizing its column."""
    if value is None or value == "":
        return ""
    if kind == AMOUNT:
        return f"{Decimal(value):,.2f}"
    if kind == INTEGER:
        return f"{int(value):,}"
    if kind == YEAR:
        return str(int(value))
    if kind == PERCENT:
        return f"{Decimal(value):.1f}%"
    if kind == DATE:
        return "0000-00-00"
    if kind == DATETIME:
        return "0000-00-00 00:00:00"
    return str(value)


# --- XLSX -----------------------------------------------------------------------------------


def to_xlsx(table: Table) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(_sheet_name(table.sheet))
    head = workbook.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    formats = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    bold = {
        kind: workbook.add_format({"num_format": f, "bold": True})
        for kind, f in NUMBER_FORMATS.items()
    }
    bold[TEXT] = workbook.add_format({"bold": True})
    widths = [display_width(h) + 2 for h in table.headers]
    for index, text in enumerate(table.headers):
        sheet.write_string(0, index, text, head)
    row_index = 0
    for row_index, row in enumerate(table.body(), start=1):
        _write_row(sheet, row_index, table.columns, row, formats, widths)
    if table.total is not None:
        _write_row(sheet, row_index + 1, table.columns, table.total, bold, widths, bold[TEXT])
    for index, column in enumerate(table.columns):
        width = max(MIN_WIDTH, min(MAX_WIDTH, widths[index] + 1))
        sheet.set_column(index, index, width, formats.get(column.kind))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _write_row(sheet, r, columns, row, formats, widths, text_format=None):
    for c, (column, value) in enumerate(zip(columns, row, strict=True)):
        kind = column.kind
        if value is None or value == "":
            sheet.write_blank(r, c, None, formats.get(kind))
            continue
        if kind in (INTEGER, YEAR, AMOUNT):
            sheet.write_number(r, c, float(value), formats[kind])
        elif kind == PERCENT:
            sheet.write_number(r, c, float(Decimal(value) / 100), formats[kind])
        elif kind == DATETIME:
            sheet.write_datetime(r, c, local(value), formats[kind])
        elif kind == DATE:
            day = value.date() if isinstance(value, datetime) else value
            sheet.write_datetime(r, c, day, formats[kind])
        else:
            sheet.write_string(r, c, _text(value), formats.get(kind, text_format))
        widths[c] = max(widths[c], display_width(_shown(kind, value)))


def _sheet_name(name: "StrOrPromise") -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in str(name)).strip("'")
    return cleaned[:31] or "Sheet1"


# --- CSV ------------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.headers)
    for row in table.body():
        writer.writerow(_csv_row(table.columns, row))
    if table.total is not None:
        writer.writerow(_csv_row(table.columns, table.total))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_row(columns, row) -> list:
    out = []
    for column, value in zip(columns, row, strict=True):
        if value is None or value == "":
            out.append("")
        elif column.kind == AMOUNT:
            out.append(f"{Decimal(value):.2f}")
        elif column.kind in (INTEGER, YEAR):
            out.append(str(int(value)))
        elif column.kind == PERCENT:
            out.append(f"{Decimal(value):.1f}%")
        elif column.kind == DATETIME:
            out.append(local(value).strftime("%Y-%m-%d %H:%M:%S"))
        elif column.kind == DATE:
            out.append((value.date() if isinstance(value, datetime) else value).isoformat())
        else:
            out.append(_text(value))
    return out


# --- download -------------------------------------------------------------------------------


def export_response(table: Table, name: str, fmt: str = "xlsx") -> HttpResponse:
    """The table as an XLSX (or CSV) download called `name` plus the extension; the name is
    Chinese and reaches the browser through RFC 6266's filename*=UTF-8''…."""
    if fmt == "csv":
        body, content_type = to_csv(table), CSV
    else:
        fmt, body, content_type = "xlsx", to_xlsx(table), XLSX
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_attachment(f"{name}.{fmt}", "export")
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, no_store=True, private=True)
    return response
