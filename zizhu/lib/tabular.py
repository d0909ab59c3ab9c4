"""Reading CSV and XLSX files whose headers are English names or their Chinese aliases.

Rows come back as dicts keyed by the English column name, with the 1-based row number of the
file (the header is row 1), so every problem can be reported by row and column.

The file is checked before it is parsed (`zizhu.lib.uploads.spreadsheets`): its size, its
encoding (CSV: UTF-8 with or without BOM, or GB18030), the number of data rows, and for XLSX the
zip structure (zip bombs, cell references far beyond the limits). Formulas are not evaluated: an
XLSX formula cell reads as the value cached in the file, and a cell whose text starts with "="
is read as that text.
"""

import csv
import gc
import io
import os
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, BinaryIO, TypedDict, Unpack

from django.utils.translation import gettext as _

from zizhu.lib.uploads.errors import UploadRejected
from zizhu.lib.uploads.spreadsheets import (
    SPREADSHEET_LIMITS,
    ZIP_MAGIC,
    SpreadsheetLimits,
    check_xlsx,
    csv_encoding,
    decode_csv_bytes,
    too_large,
    too_many_rows,
)

Source = Path | str | bytes | bytearray | memoryview | BinaryIO
# what a read closes when its rows are read or left: a CSV's stream, an XLSX's rows
Closable = IO | Generator[list, None, None]


class ReadOptions(TypedDict, total=False):
    """How a file is read (every reader takes these): `name` gives the format by its extension
    (default: the path's name; without an extension, from the content); `limits` the size and
    row limits, which `max_bytes` (either format) and `max_rows` override."""

    name: str | None
    limits: SpreadsheetLimits
    max_bytes: int | None
    max_rows: int | None


@dataclass(frozen=True)
class Column:
    name: str
    alias: str
    required: bool = True


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based row of the file; 0 = the file as a whole
    column: str  # the English column name ("" for the row or the file as a whole)
    message: str  # for the user, in the active language

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


def read_table(source: Source, columns: list[Column], **options: Unpack[ReadOptions]) -> Table:
    """Check and read a CSV or XLSX file; raises TableError listing what is wrong.

    `source` is a path, the file's bytes or a binary file open for reading (`ReadOptions`).
    """
    table = read_columns(source, columns, **options)
    return Table(columns=list(table.values), rows=table.rows)


@dataclass
class Columns:
    """A table read column by column: the file row number of each non-blank row, and the
    stripped text of each column of the file (by English name; a column absent from the
    file is absent here). Cheaper than `Table.rows` for big files: no dict per row."""

    numbers: list[int]
    values: dict[str, list[str]]

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """The rows as `read_table` gives them."""
        names = list(self.values)
        return [
            (number, dict(zip(names, cells, strict=True)))
            for number, *cells in zip(self.numbers, *self.values.values(), strict=True)
        ]

    @classmethod
    def concat(cls, parts: "list[Columns]", names: list[str]) -> "Columns":
        """Chunks of one file as one table (the columns `names`)."""
        return cls(
            [n for part in parts for n in part.numbers],
            {name: [v for part in parts for v in part.values[name]] for name in names},
        )

    @classmethod
    def of_rows(cls, rows: list[tuple[int, dict[str, str]]], names: list[str]) -> "Columns":
        """Rows as `read_table` gives them, column by column (a missing value is "", values
        are kept as they are: not stripped)."""
        return cls(
            [number for number, _ in rows],
            {name: [raw.get(name, "") for _, raw in rows] for name in names},
        )


def read_columns(source: Source, columns: list[Column], **options: Unpack[ReadOptions]) -> Columns:
    """`read_table`, column by column (read_table is this, turned into rows)."""
    with gc_paused(), read_column_chunks(source, columns, share=True, **options) as chunks:
        return Columns.concat(list(chunks), chunks.names)


@dataclass
class ColumnChunks:
    """A checked file whose rows are read a chunk at a time, each chunk a `Columns` (the
    English names of the file's columns in `names`). The file, its header and its columns are
    checked when it is opened; a row limit passed or a CSV syntax error raises TableError
    from the chunk that finds it, as `read_columns` would. Iterable once; a context manager
    that closes the file (reading to the end closes it too)."""

    names: list[str]
    chunks: Iterator[Columns]
    stream: Closable | None = None

    def __iter__(self) -> Iterator[Columns]:
        return self.chunks

    def __enter__(self) -> "ColumnChunks":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


def read_column_chunks(
    source: Source, columns: list[Column], *, share: bool = False, **options: Unpack[ReadOptions]
) -> ColumnChunks:
    """`read_columns` a chunk at a time: a 1,000,000-row file is never held whole as Python
    strings (~290 bytes a row of seven columns). `share`: a column of few distinct values
    (grades, majors, amounts) comes as references to one string per value, which saves
    memory where the chunks are all kept (read_columns)."""
    raw_rows, limits, text, stream = _open(source, **options)
    iterator = iter(raw_rows)
    with _closed_on_error(stream or io.BytesIO()):
        try:
            header = next(iterator)
        except StopIteration:
            raise _file_error(_("The file is empty")) from None
        except csv.Error as exc:
            raise _csv_error(1, exc) from None
        mapping = _header_map([_cell(h) for h in header], columns)
    names = list(mapping.values())
    chunks = _chunks(iterator, mapping, limits.rows, text=text, share=share, stream=stream)
    return ColumnChunks(names, chunks, stream)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building millions of row lists and cells (which
    make no cycles) otherwise sets off collections that walk the whole heap, over and over
    (a 1,000,000-row CSV read twice as slow)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _open(
    source: Source,
    *,
    name: str | None = None,
    limits: SpreadsheetLimits = SPREADSHEET_LIMITS,
    max_bytes: int | None = None,
    max_rows: int | None = None,
) -> tuple[Iterable[list], SpreadsheetLimits, bool, Closable | None]:
    """The checked file's rows (the header first), the limits, whether every cell is text and
    what to close once the rows are read (a CSV's stream, an XLSX's rows)."""
    if max_bytes is not None:
        limits = replace(limits, csv_bytes=max_bytes, xlsx_bytes=max_bytes)
    if max_rows is not None:
        limits = replace(limits, rows=max_rows)
    try:
        kind, data = _load(source, name, limits)
        if not isinstance(data, bytes):  # a CSV file, open
            with _closed_on_error(data):
                encoding = csv_encoding(data)
            # read and decoded as it is parsed: the bytes of a 1,000,000-row file (~70 MB)
            # are never held whole, nor its text (a str ~150 MB, a StringIO ~300 MB more)
            stream = io.TextIOWrapper(data, encoding=encoding, newline="")
            return csv.reader(stream), limits, True, stream
        if kind == "csv":
            stream = io.TextIOWrapper(io.BytesIO(data), encoding=csv_encoding(data), newline="")
            return csv.reader(stream), limits, True, stream
        rows = _xlsx_rows(data, limits)
        return rows, limits, False, rows
    except UploadRejected as exc:
        raise _file_error(exc.message) from None


@contextmanager
def _closed_on_error(handle: IO) -> Iterator[None]:
    try:
        yield
    except BaseException:
        handle.close()
        raise


def decode_csv(data: bytes) -> str:
    """The text of a CSV file (UTF-8 with or without BOM, or GB18030); raises TableError."""
    try:
        return decode_csv_bytes(data)
    except UploadRejected as exc:
        raise _file_error(exc.message) from None


def _file_error(message: str) -> TableError:
    return TableError([Problem(0, "", message)])


def _kind(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    if suffix in {".csv", ".xlsx"}:
        return suffix[1:]
    if not suffix:
        return None
    if suffix in {".xls", ".et"}:
        raise UploadRejected(
            _("%(suffix)s files are not supported; save the file as XLSX or CSV")
            % {"suffix": suffix}
        )
    raise UploadRejected(
        _("Unsupported file type %(suffix)s; use CSV or XLSX") % {"suffix": suffix}
    )


def _load(
    source: Source, name: str | None, limits: SpreadsheetLimits
) -> tuple[str, bytes | BinaryIO]:
    """The kind of file and its bytes; a CSV file given by its path comes open instead."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        kind = _kind(name or path.name)
        limit = _byte_limit(kind, limits)
        if path.stat().st_size > limit:
            raise too_large(limit)
        if kind == "csv":  # read as it is parsed
            return kind, path.open("rb")
        data = path.read_bytes()
    else:
        kind = _kind(name or "")
        limit = _byte_limit(kind, limits)
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source)
        else:
            data = source.read(limit + 1)
    if kind is None:
        kind = "xlsx" if data.startswith(ZIP_MAGIC) else "csv"
        limit = _byte_limit(kind, limits)
    if len(data) > limit:
        raise too_large(limit)
    return kind, data


def _byte_limit(kind: str | None, limits: SpreadsheetLimits) -> int:
    if kind == "csv":
        return limits.csv_bytes
    if kind == "xlsx":
        return limits.xlsx_bytes
    return max(limits.csv_bytes, limits.xlsx_bytes)


def _xlsx_rows(data: bytes, limits: SpreadsheetLimits) -> Generator[list, None, None]:
    """The first sheet's rows, each from column A, once the file has passed `check_xlsx`;
    a generator (close it when it is not read to the end)."""
    from zizhu.lib.sheet_parts import first_sheet_rows

    with _unreadable():
        # the rows above the first used one come too, so row numbers stay the file's
        rows = first_sheet_rows(data, partial(check_xlsx, data, limits), limits.zip_bytes)
    return _read_out(rows)


def _read_out(rows: Generator[list, None, None]) -> Generator[list, None, None]:
    with _unreadable(), closing(rows):  # a part parsed meanwhile may still be refused
        yield from rows


@contextmanager
def _unreadable() -> Iterator[None]:
    """calamine's refusal of a file as the importer's error (the check's own as it is)."""
    from python_calamine import CalamineError

    try:
        yield
    except UploadRejected:
        raise  # a ValueError too
    except (CalamineError, ValueError) as exc:
        raise _file_error(_("The XLSX file cannot be read; save it again in Excel")) from exc


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
        raise missing_columns(missing)
    return mapping


def missing_columns(missing: list[Column]) -> TableError:
    """Each missing required column as a problem of the header row (pages show the column by
    its Chinese name, `alias`)."""
    reason = _("Required column missing (the header may be the Chinese or the English name)")
    return TableError([Problem(1, column.name, reason) for column in missing])


def problem_line(problem: Problem, columns: list[Column]) -> str:
    """`row N<TAB>column<TAB>reason`: the import commands' line for a problem, which other
    systems parse. The column is the English name; a missing column's is written, as it always
    was, as the Chinese name with the English one in brackets."""
    column = problem.column
    if problem.row == 1 and column:  # the header row
        column = next((f"{c.alias} ({c.name})" for c in columns if c.name == column), column)
    return f"row {problem.row}\t{column}\t{problem.message}"


def _csv_error(row: int, error: csv.Error) -> TableError:
    """A CSV syntax error in Chinese (Python's text is English). Decoding refused NUL bytes
    and the reader takes any line ending, so a field over the reader's limit is what is left:
    in practice a quote that is never closed."""
    if "field larger than field limit" in str(error):
        reason = _(
            "A cell holds more than %(limit)s characters: check that the file's quotes come "
            "in pairs, or save the file again as CSV in Excel"
        ) % {"limit": csv.field_size_limit()}
    else:
        reason = _("The CSV file is malformed; save it again as CSV in Excel")
    return TableError([Problem(row, "", reason)])


def _cell(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


CHUNK_ROWS = 10_000  # rows turned into columns (and checked, and kept: an import) at a time


def _chunks(
    iterator: Iterator[list],
    mapping: dict[int, str],
    max_rows: int,
    *,
    text: bool,
    share: bool,
    stream: Closable | None,
) -> Iterator[Columns]:
    """The non-blank rows after the header, CHUNK_ROWS rows of the file at a time turned
    into columns; a blank row is skipped but keeps its number. `stream` is closed at the end.

    `text`: every value is a str (CSV), so the per-chunk work can stay in C."""
    try:
        yield from _chunks_of_rows(iterator, mapping, max_rows, text=text, share=share)
    finally:
        if stream is not None:
            stream.close()


def _chunks_of_rows(
    iterator: Iterator[list], mapping: dict[int, str], max_rows: int, *, text: bool, share: bool
) -> Iterator[Columns]:
    number = 1  # the last row read, for a CSV syntax error
    positions = list(mapping)
    width = max(mapping, default=-1) + 1
    kept = 0
    while True:
        chunk: list[list] = []
        failure = None
        with gc_paused():
            try:  # extend keeps the rows read before an error
                chunk.extend(islice(iterator, CHUNK_ROWS))
            except csv.Error as exc:
                failure = exc
            first = number + 1
            number += len(chunk)
            table = Columns([], {name: [] for name in mapping.values()})
            _add_chunk(table, chunk, first, positions, width, text, share)
            del chunk[:]
        kept += len(table)
        if kept > max_rows:
            raise _file_error(too_many_rows(max_rows).message)
        if failure is not None:
            raise _csv_error(number + 1, failure) from None
        if len(table):
            yield table
        if number - first + 1 < CHUNK_ROWS:
            return


def _add_chunk(
    table: Columns,
    chunk: list[list],
    first: int,
    positions: list[int],
    width: int,
    text: bool,
    share: bool,
) -> None:
    if not chunk:
        return
    if min(map(len, chunk)) < width:
        chunk = [raw if len(raw) >= width else [*raw, *[""] * (width - len(raw))] for raw in chunk]
    cells = list(zip(*chunk, strict=False))  # strict: XLSX rows all have the sheet's width
    picked: list[list[str]] = []
    for position in positions:
        column = cells[position]
        if text or set(map(type, column)) == {str}:  # no Python step a cell
            picked.append(list(map(str.strip, column)))
        else:
            picked.append([v.strip() if v.__class__ is str else _cell(v) for v in column])
    # a blank row has an empty first column: look at the others only for those rows
    first_empty = list(range(len(chunk))) if not picked else []
    if picked and "" in picked[0]:
        first_empty = [i for i, v in enumerate(picked[0]) if not v]
    blank = [i for i in first_empty if not any(column[i] for column in picked)]
    keep = range(len(chunk))
    if blank:
        cell = str.strip if text else _cell
        skip = {i for i in blank if not any(cell(v) for v in chunk[i])}
        keep = [i for i in keep if i not in skip]  # type: ignore[assignment]
        picked = [[column[i] for i in keep] for column in picked]
    table.numbers.extend(map(first.__add__, keep))
    for values, column in zip(table.values.values(), picked, strict=True):
        values.extend(_shared(column) if share else column)


def _shared(column: list[str]) -> list[str]:
    """A column of few distinct values (grades, majors, amounts) as references to one string
    per value: a 100,000-row list keeps megabytes less of the same text."""
    if len(dict.fromkeys(column[:1000])) > 50:
        return column
    distinct = dict(zip(column, column, strict=True))
    if len(distinct) > 1000:
        return column
    return list(map(distinct.__getitem__, column))
