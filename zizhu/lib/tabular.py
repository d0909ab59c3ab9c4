"""Reading CSV and XLSX files whose headers are English names or their Chinese aliases.

Rows come back as dicts keyed by the English column name, with the 1-based row number of the
file (the header is row 1), so every problem can be reported by row and column.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Column:
    name: str
    alias: str
    required: bool = True


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based row of the file; 0 = the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        column = f"【{self.column}】" if self.column else ""
        return f"{where}{column}：{self.message}"


class TableError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems[:20]))


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _header_map(header: list[str], columns: list[Column]) -> dict[int, str]:
    by_label: dict[str, str] = {}
    for column in columns:
        by_label[column.name.lower()] = column.name
        by_label[column.alias] = column.name
    mapping: dict[int, str] = {}
    for index, label in enumerate(header):
        key = str(label).strip().lstrip("\ufeff")
        name = by_label.get(key) or by_label.get(key.lower())
        if name and name not in mapping.values():
            mapping[index] = name
    missing = [c for c in columns if c.required and c.name not in mapping.values()]
    if missing:
        raise TableError(
            [Problem(1, f"{c.alias} ({c.name})", "缺少必填列 (missing column)") for c in missing]
        )
    return mapping


def decode_csv(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(
        [Problem(0, "", "无法识别文件编码，请使用 UTF-8 或 GB18030 (unknown encoding)")]
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _records(raw_rows, columns: list[Column]) -> Table:
    iterator = iter(raw_rows)
    try:
        header = next(iterator)
    except StopIteration:
        raise TableError([Problem(0, "", "文件为空 (empty file)")]) from None
    mapping = _header_map([_cell(h) for h in header], columns)
    table = Table(columns=list(mapping.values()))
    for number, raw in enumerate(iterator, start=2):
        if not any(_cell(v) for v in raw):
            continue
        row = {name: _cell(raw[i]) if i < len(raw) else "" for i, name in mapping.items()}
        table.rows.append((number, row))
    return table


def read_table(path: Path | str, columns: list[Column]) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = decode_csv(path.read_bytes())
        return _records(csv.reader(io.StringIO(text)), columns)
    if suffix in {".xlsx", ".xls"}:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        return _records(sheet.to_python(skip_empty_area=False), columns)
    raise TableError([Problem(0, "", f"不支持的文件类型 {suffix}，请使用 CSV 或 XLSX")])
