"""Reading a downloaded export back: its file name, header, cells, formats and widths."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote

import openpyxl

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Export:
    name: str
    kind: str  # xlsx or csv
    header: list
    rows: list[list]
    formats: list[list[str]] = field(default_factory=list)  # number format per cell (xlsx)
    widths: list[float] = field(default_factory=list)
    hyperlinks: int = 0
    formulas: int = 0
    raw_sheet: str = ""


def file_name(response) -> str:
    disposition = response["Content-Disposition"]
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    assert match, disposition
    return unquote(match[1])


def read(response) -> Export:
    name = file_name(response)
    if name.endswith(".csv"):
        assert response.content.startswith("\ufeff".encode()), "CSV without a UTF-8 BOM"
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return Export(name, "csv", table[0], table[1:])
    body = response.content
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book.active
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    rows = [[c.value for c in row] for row in cells[1:]]
    formats = [[c.number_format for c in row] for row in cells[1:]]
    widths = [
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
        for i in range(len(header))
    ]
    hyperlinks = sum(1 for row in cells for c in row if c.hyperlink is not None)
    formulas = sum(1 for row in cells for c in row if c.data_type == "f")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        raw = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    return Export(name, "xlsx", header, rows, formats, widths, hyperlinks, formulas, raw)
