"""Register files (CSV, XLSX, Parquet) as batches of text columns with their file row numbers.

Registers are big (a province's compulsory-education enrolment runs to millions of rows), so
CSV and Parquet files are streamed in batches with pyarrow, never held whole; XLSX (at most
about a million rows by the format) goes through zizhu.lib.tabular, which checks the archive
before parsing it. Row numbers are those a spreadsheet shows: the header is row 1 (a Parquet
file counts as if it had one), blank rows keep their number.
"""

import codecs
import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from django.utils.translation import gettext as _

from zizhu.lib.tabular import Column, Problem, TableError, missing_columns, read_table

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
CSV_ENCODINGS = ("utf-8", "gb18030")
CSV_BLOCK_BYTES = 8 << 20  # about 100,000 register rows per batch
PARQUET_BATCH_ROWS = 100_000
# XLSX goes through tabular's checks with the format's own row limit; big registers come as
# CSV or Parquet, which are streamed.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_BYTES = 200 * 1024 * 1024
_HEADER_PEEK = 1 << 20
log = logging.getLogger(__name__)


@dataclass
class Batch:
    rows: np.ndarray  # int64: the file row number of each record
    columns: dict[str, pa.Array]  # text by English column name; "" where empty
    problems: list[Problem] = field(default_factory=list)  # malformed records met on the way
    fraction: float = 1.0  # share of the file read so far, for progress


def file_format(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        reason = _("Unsupported file type %(suffix)s; use CSV, XLSX or Parquet") % {
            "suffix": suffix or _("(none)")
        }
        raise TableError([Problem(0, "", reason)])
    return FORMATS[suffix]


def map_header(labels: list[str], columns: list[Column]) -> dict[str, int]:
    """English column name → position in the file, from English names or Chinese aliases
    (the same rules as zizhu.lib.tabular). Every missing required column is a problem."""
    by_label: dict[str, str] = {}
    for column in columns:
        by_label[column.name.lower()] = column.name
        by_label[column.alias] = column.name
    mapping: dict[str, int] = {}
    for index, label in enumerate(labels):
        key = str(label).strip().lstrip("\ufeff")
        name = by_label.get(key) or by_label.get(key.lower())
        if name and name not in mapping:
            mapping[name] = index
    missing = [c for c in columns if c.required and c.name not in mapping]
    if missing:
        raise missing_columns(missing)
    return mapping


def read_batches(path: Path | str, columns: list[Column]) -> Iterator[Batch]:
    """The file's records in batches. Raises TableError for problems of the file as a whole
    (type, encoding, missing columns, unreadable content)."""
    path = Path(path)
    kind = file_format(path)
    if kind == "csv":
        yield from _csv_batches(path, columns)
    elif kind == "parquet":
        yield from _parquet_batches(path, columns)
    else:
        yield _xlsx_batch(path, columns)


def _unreadable(kind: str, exc: Exception) -> TableError:
    """A file the reader gave up on, in Chinese. Its error is logged as its kind only: pyarrow
    quotes the offending text, which may be a raw ID number."""
    log.warning("unreadable %s register file: %s", kind, _reason(exc))
    if kind == "csv":
        reason = _("The CSV file cannot be read; save it again as CSV (UTF-8) in Excel")
    else:
        reason = _("The Parquet file cannot be read; export it again")
    return TableError([Problem(0, "", reason)])


def _reason(exc: Exception) -> str:
    """The kind of a reader error without its details."""
    return str(exc).split(":", 1)[0].strip()[:100] or type(exc).__name__


# --- CSV ---------------------------------------------------------------------------------------


def _complete(block: bytes) -> int:
    """Where the last whole UTF-8 character of `block` ends: a character cut by the block's end
    is left for the next block (and checked there)."""
    for back in range(1, min(4, len(block)) + 1):
        byte = block[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte
            continue
        size = 4 if byte >= 0xF0 else 3 if byte >= 0xE0 else 2 if byte >= 0xC0 else 1
        return len(block) - back if size > back else len(block)
    return len(block)


def is_utf8(data: bytes) -> bool:
    """The strict UTF-8 of Python's codec (no surrogates, no overlong forms), checked by Arrow's
    validator: a few times faster than decoding."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int32))
    try:
        pa.StringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _utf8_file(path: Path) -> bool:
    carry = b""
    with path.open("rb") as handle:
        while block := handle.read(CSV_BLOCK_BYTES):
            block = carry + block
            cut = _complete(block)
            if not is_utf8(block[:cut]):
                return False
            carry = block[cut:]
    return is_utf8(carry)


def csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, checked over the whole file in blocks."""
    if _utf8_file(path):
        return "utf-8"
    for encoding in CSV_ENCODINGS[1:]:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while block := handle.read(CSV_BLOCK_BYTES):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    unknown = _("The file's encoding is not recognised; use UTF-8 or GB18030")
    raise TableError([Problem(0, "", unknown)])


def _csv_header(path: Path, encoding: str) -> list[str]:
    with path.open("rb") as handle:
        head = handle.read(_HEADER_PEEK)
    line = head.split(b"\n", 1)[0]
    text = line.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    header = next(csv.reader(io.StringIO(text)), [])
    if not any(label.strip() for label in header):
        raise TableError([Problem(0, "", _("The file is empty"))])
    return header


def _csv_batches(path: Path, columns: list[Column]) -> Iterator[Batch]:
    encoding = csv_encoding(path)
    header = _csv_header(path, encoding)
    mapping = map_header(header, columns)
    names = [f"c{i}" for i in range(len(header))]
    wanted = {name: names[index] for name, index in mapping.items()}
    problems: list[Problem] = []
    skipped: list[int] = []  # numbers of the records the reader left out, ascending

    def on_invalid_row(row) -> str:
        number = row.number or 0
        skipped.append(number)
        if row.text.strip():
            problems.append(
                Problem(
                    number,
                    "",
                    _("The row has %(actual)s columns, the header %(expected)s")
                    % {"actual": row.actual_columns, "expected": row.expected_columns},
                )
            )
        return "skip"

    size = max(path.stat().st_size, 1)
    with pa.OSFile(str(path)) as source:
        try:
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(
                    # one thread: the invalid-row handler then knows record numbers
                    use_threads=False,
                    block_size=CSV_BLOCK_BYTES,
                    column_names=names,
                    skip_rows=1,
                    encoding="utf8" if encoding == "utf-8" else encoding,
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True,
                    ignore_empty_lines=False,  # a blank line keeps its row number
                    invalid_row_handler=on_invalid_row,
                ),
                convert_options=pacsv.ConvertOptions(
                    include_columns=list(wanted.values()),
                    column_types=dict.fromkeys(wanted.values(), pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            emitted = 0
            for record_batch in reader:
                count = record_batch.num_rows
                index = np.arange(emitted, emitted + count, dtype=np.int64)
                # record k (0-based, among those returned) is file row k + 2 plus the number of
                # records skipped before it
                before = np.asarray(skipped, dtype=np.int64) - 2 - np.arange(len(skipped))
                rows = index + 2 + np.searchsorted(before, index, side="right")
                emitted += count
                batch_problems, problems[:] = list(problems), []
                yield Batch(
                    rows=rows,
                    columns={n: record_batch.column(c) for n, c in wanted.items()},
                    problems=batch_problems,
                    fraction=min(source.tell() / size, 1.0),
                )
        except (pa.ArrowInvalid, OSError) as exc:
            raise _unreadable("csv", exc) from exc
    if problems:
        yield Batch(np.empty(0, dtype=np.int64), {}, problems)


# --- Parquet -----------------------------------------------------------------------------------


def _as_text(array: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return pc.fill_null(array, "")


def _parquet_batches(path: Path, columns: list[Column]) -> Iterator[Batch]:
    try:
        parquet = pq.ParquetFile(path)
        labels = parquet.schema_arrow.names
        mapping = map_header(labels, columns)
        total = max(parquet.metadata.num_rows, 1)
        selected = [labels[i] for i in mapping.values()]
        done = 0
        for record_batch in parquet.iter_batches(
            batch_size=PARQUET_BATCH_ROWS, columns=selected, use_threads=False
        ):
            count = record_batch.num_rows
            columns_by_name = {
                name: _as_text(record_batch.column(labels[index]))
                for name, index in mapping.items()
            }
            yield Batch(
                rows=np.arange(done + 2, done + 2 + count, dtype=np.int64),
                columns=columns_by_name,
                fraction=min((done + count) / total, 1.0),
            )
            done += count
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise _unreadable("parquet", exc) from exc


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx_batch(path: Path, columns: list[Column]) -> Batch:
    table = read_table(path, columns, max_bytes=XLSX_MAX_BYTES, max_rows=XLSX_MAX_ROWS)
    return Batch(
        rows=np.fromiter((number for number, _ in table.rows), np.int64, len(table.rows)),
        columns={
            name: pa.array([row.get(name, "") for _, row in table.rows], pa.string())
            for name in table.columns
        },
    )
