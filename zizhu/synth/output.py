"""Turning rows into files: keyed Parquet in the analytics-store layout, or raw import files.

Keyed (docs/analytics-store.md): no raw ID or phone is written; `pid` and `phone_key` are
opaque int64 keys (synthetic, not HMACs), birth dates are their own column. Each table is
written as the store's writer writes a partition ("Buckets"): a file per bucket of `pid`, and
the rows with a phone once more, a file per bucket of `phone_key`. Raw: the CSV files
a person would import (docs/domain.md, formats), one per register snapshot and one per recipient
list.
"""

import csv
import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from zizhu.store import buckets
from zizhu.store.layout import lists_partition, register_partition
from zizhu.store.schemas import DICTIONARY_COLUMNS, LISTS_SCHEMA, REGISTER_SCHEMAS
from zizhu.store.writer import EMPTY_PART, BucketFiles
from zizhu.synth.mixing import bits, mix64
from zizhu.synth.persons import PersonSpace, days_since_epoch
from zizhu.synth.tables import (
    AMOUNTS,
    FIRST_GRADE_AGE,
    GRADES,
    MAJORS,
    PROGRAMMES,
    PROJECTS,
    STATUSES,
    Rows,
    Table,
)

CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")
PROGRAMME_NAMES = ("tuition_waiver", "national_grant")
_PROGRAMME_OF = np.array(
    [PROGRAMME_NAMES.index(PROGRAMMES[p]) if p in PROGRAMMES else -1 for p in PROJECTS] + [-1]
)
_AMOUNT_OF = np.array([AMOUNTS[p] for p in PROJECTS] + [0], dtype=np.int32)  # fits decimal(12,2)
AMOUNT = pa.decimal128(12, 2)
# the 16 bytes of each amount as a decimal128(12, 2) (cents, little-endian, positive)
_AMOUNT_DECIMAL = np.stack(
    [_AMOUNT_OF.astype(np.int64) * 100, np.zeros_like(_AMOUNT_OF, np.int64)], 1
)
MANIFEST_HEADER = ["school_code", "project", "school_year", "term", "file"]
RAW_HEADERS = {
    "enrolment": ["school_code", "id_number", "name", "grade", "status", "phone"],
    "recipients": ["school_code", "id_number", "name", "project", "amount"],
    "graduates": ["school_code", "id_number", "name", "graduation_year"],
    "list": ["id_number", "name", "grade", "major", "phone", "amount"],
}
KEYED_SCHEMAS = {**REGISTER_SCHEMAS, "list": LISTS_SCHEMA}
# Random 64-bit keys do not compress: snappy would only spend time finding that out.
RANDOM_KEYS = ("pid", "phone_key")
# row_id counts up within a bucket of a part: delta encoding stores it in about a byte a row
# (DuckDB and Spark read DELTA_BINARY_PACKED)
ENCODINGS = {"row_id": "DELTA_BINARY_PACKED"}
# Min/max statistics of these strings cost about a sixth of an enrolment part's write and can
# prune nothing: no check filters on them, except status = '在籍', which every row group holds.
# The lists' stage, project and programme keep theirs: a part holds one stage's rows, so they
# tell which parts hold a project or programme.
NO_STATISTICS = ("school_code", "status", "grade", "id_masked")


def parquet_options(schema: pa.Schema, grouped_by: str) -> dict[str, Any]:
    """Options of a file of `schema` whose rows are grouped by the bucket of `grouped_by`: the
    only random key with statistics, since a row group spans one bucket of it but nearly all of
    int64 in the other key (docs/adr/0020)."""
    statistics = [c for c in schema.names if c not in NO_STATISTICS]
    return {
        "use_dictionary": [c for c in DICTIONARY_COLUMNS if c in schema.names],
        "compression": {
            c: "none" if c in RANDOM_KEYS or c in ENCODINGS else "snappy" for c in schema.names
        },
        "write_statistics": [c for c in statistics if c not in RANDOM_KEYS or c == grouped_by],
        "column_encoding": {c: e for c, e in ENCODINGS.items() if c in schema.names} or None,
        "store_schema": False,  # readers see plain strings, not Arrow dictionaries
    }


# Rows of a row group: larger than the store writer's (whose memory is bounded for imports),
# since each row group of a part writes its school-code dictionary again.
ROW_GROUP = 65_536
PARQUET_OPTIONS = {shape: parquet_options(s, "pid") for shape, s in KEYED_SCHEMAS.items()}
PHONE_OPTIONS = {
    shape: parquet_options(s, "phone_key") for shape, s in buckets.PHONE_SCHEMAS.items()
}


def fixed_strings(matrix: np.ndarray) -> pa.Array:
    """An Arrow string array over the rows of an (n, width) ASCII matrix, without copying."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


def with_nulls(values: np.ndarray, null: np.ndarray) -> pa.Array:
    """`values` with nulls where `null`: the validity bitmap packed by numpy, which is faster
    than pa.array(…, mask=…)."""
    validity = np.packbits(~null, bitorder="little")
    data = pa.py_buffer(np.ascontiguousarray(values))
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(values.dtype), len(values), [pa.py_buffer(validity), data]
    )


def amounts(project: np.ndarray) -> pa.Array:
    """The amounts of `project` (indexes into PROJECTS) as decimals, built from their bytes: a
    cast from integers costs more than the rest of a recipients table."""
    data = np.ascontiguousarray(_AMOUNT_DECIMAL[project])
    return pa.Array.from_buffers(AMOUNT, len(project), [None, pa.py_buffer(data)])


def dictionary(indices: np.ndarray, values, null: np.ndarray | None = None) -> pa.Array:
    """A dictionary array over `indices` of any signed integer type, without copying them."""
    codes = pa.array(indices) if null is None else with_nulls(indices, null)
    return pa.DictionaryArray.from_arrays(codes, pa.array(list(values), pa.string()))


def school_codes(rows: Rows) -> pa.Array:
    """The rows' school codes over a dictionary of the part's own range of schools, not all
    of its stage's: each row group (one a bucket) writes the dictionary again."""
    if not len(rows):
        return dictionary(rows.school, [])
    first, last = int(rows.school.min()), int(rows.school.max())
    return dictionary(rows.school - first, rows.codes[first : last + 1])


def grade_index(rows: Rows, born: np.ndarray, reference: date) -> np.ndarray:
    """Index into GRADES[stage] of each birth date, looked up in a table of the dates present."""
    if not len(born):
        return np.zeros(0, np.int8)
    first = int(born.min())
    days = np.arange(first, int(born.max()) + 1, dtype=np.int64)
    # whole years by 365.25-day years: off by a day near birthdays, fine for a grade
    years = (days_since_epoch(reference) - days) * 4 // 1461
    grades = np.clip(years - FIRST_GRADE_AGE[rows.stage], 0, len(GRADES[rows.stage]) - 1)
    return grades.astype(np.int8)[born - first]


@dataclass(frozen=True)
class PersonKeys:
    """The pid and birth date of each row of a part, and where each bucket of pid starts."""

    pids: np.ndarray
    born: np.ndarray
    starts: np.ndarray


def in_pid_order(rows: Rows, persons: PersonSpace) -> tuple[Rows, PersonKeys]:
    """`rows` grouped by the bucket of their pid (buckets.grouped), and their keys.

    The numpy arrays are put in order before any Arrow column is built, so that no string
    column is ever taken. Birth dates are looked up before: `persons` is quickest on a part's
    rows as generated (a run of one population, then a few planted persons), twice as quick
    as on the rows in bucket order.
    """
    pids = persons.pid(rows.g)
    born = persons.birth_days(rows.g)
    order, starts = buckets.grouped(pids)
    return rows.take(order), PersonKeys(pids[order], born[order], starts)


def keyed_table(
    table: Table,
    rows: Rows,
    persons: PersonSpace,
    reference: date,
    table_number: int,
    keys: PersonKeys,
) -> pa.Table:
    """The store's columns of `rows`, whose pids and birth dates are in `keys`."""
    shape = table.shape
    pids, born = keys.pids, keys.born
    columns = {
        "school_code": school_codes(rows),
        "pid": pa.array(pids),
        "birth_date": pa.array(born, pa.int32()).view(pa.date32()),
    }
    no_phone = rows.phone < 0
    if shape in {"enrolment", "list"}:
        columns["phone_key"] = with_nulls(persons.phone_key(rows.phone), no_phone)
    if shape == "enrolment":
        columns["status"] = dictionary(rows.status, STATUSES)
        columns["grade"] = dictionary(grade_index(rows, born, reference), GRADES[rows.stage])
    elif shape == "recipients":
        columns["project"] = dictionary(rows.project, PROJECTS)
        columns["amount"] = amounts(rows.project)
    elif shape == "graduates":
        columns["graduation_year"] = pa.array(rows.graduation_year, pa.int32())
    else:
        programme = _PROGRAMME_OF[rows.project]
        # unique per list row, whatever the order: the partition, the project and the person
        row_id = (np.int64(table_number) << 40) | (rows.project.astype(np.int64) << 34) | rows.g
        columns["row_id"] = pa.array(row_id)
        columns["stage"] = dictionary(np.zeros(len(rows), np.int32), [rows.stage])
        columns["project"] = dictionary(rows.project, PROJECTS)
        columns["programme"] = dictionary(programme, PROGRAMME_NAMES, null=programme < 0)
        columns["id_masked"] = fixed_strings(persons.masked_ids(rows.g))
    schema = KEYED_SCHEMAS[shape]
    return pa.table([columns[name] for name in schema.names], names=schema.names)


def phone_side(
    data: pa.Table, rows: Rows, persons: PersonSpace, shape: str
) -> tuple[pa.Table, np.ndarray]:
    """The side-file rows of a part (`data`, built from `rows`): those with a phone, grouped by
    the bucket of `phone_key`, and where each bucket starts."""
    with_phone = np.flatnonzero(rows.phone >= 0)
    order, starts = buckets.grouped(persons.phone_key(rows.phone[with_phone]))
    # taken while stage and programme are still dictionaries; phone_table then spells them out
    # (indexes as an Arrow array: given a numpy array, the take costs twice as long)
    picked = data.select(buckets.PHONE_SCHEMAS[shape].names).take(pa.array(with_phone[order]))
    return buckets.phone_table(picked, shape), starts


class KeyedSink:
    """Each table goes to a temporary folder that replaces the table's folder at the end
    (docs/analytics-store.md: a snapshot is replaced atomically).

    A table is bucketed ("Buckets") as the store's own writer does it (zizhu.store.writer):
    `part-BB.parquet` holds the rows of bucket BB of `pid`, and for the shapes with a phone,
    `_phones-BB.parquet` those of bucket BB of `phone_key` that have one: a key range of a
    check reads one file of each table, not a row group of every part. Parts are written by
    several threads at once; a table's files are closed when its last part is written.
    """

    parallel = True

    def __init__(self, out: Path, persons: PersonSpace, reference: date, tables: list[Table]):
        self.out = out
        self.persons = persons
        self.reference = reference
        self.numbers = {t.key: i for i, t in enumerate(tables)}
        self.temporary: dict[tuple, Path] = {}
        self.files: dict[tuple, list[BucketFiles]] = {}
        self.remaining: dict[tuple, int] = {}
        self.lock = threading.Lock()
        fs = pafs.LocalFileSystem()
        for table in tables:
            final = self.folder(table)
            staging = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex}")
            staging.mkdir(parents=True)
            self.temporary[table.key] = staging
            shape, folder = table.shape, str(staging)
            # the schemas of the rows written (dictionaries, which readers see as strings)
            options = PARQUET_OPTIONS[shape]
            files = [BucketFiles(fs, folder, "part-", "pid", None, options, ROW_GROUP)]
            if shape in buckets.PHONE_SCHEMAS:
                prefix, options = buckets.PHONES_PREFIX, PHONE_OPTIONS[shape]
                files.append(BucketFiles(fs, folder, prefix, "phone_key", None, options, ROW_GROUP))
            self.files[table.key] = files

    def expect(self, parts: list) -> None:
        """The parts to come (each with its `table`): a table's files close after its last."""
        for part in parts:
            self.remaining[part.table.key] = self.remaining.get(part.table.key, 0) + 1

    def folder(self, table: Table) -> Path:
        if table.is_list:
            _, year, term = table.key
            return self.out / lists_partition(year, term)
        _, kind, month = table.key
        return self.out / register_partition(kind, month)

    def write(self, table: Table, rows: Rows, part: str) -> int:
        """Write one part's rows (none: the part only counts towards closing its table)."""
        if len(rows):
            rows, keys = in_pid_order(rows, self.persons)
            number = self.numbers[table.key]
            data = keyed_table(table, rows, self.persons, self.reference, number, keys)
            files = self.files[table.key]
            files[0].add(data, keys.starts)
            if len(files) > 1:
                phones, phone_starts = phone_side(data, rows, self.persons, table.shape)
                files[1].add(phones, phone_starts)
        with self.lock:  # a table whose parts were not announced closes at `finish` only
            last = False
            if table.key in self.remaining:
                self.remaining[table.key] -= 1
                last = self.remaining[table.key] == 0
        if last:
            for family in self.files[table.key]:
                family.close()
        return len(rows)

    def finish(self, tables: list[Table]) -> None:
        for table in tables:
            for family in self.files[table.key]:
                family.close()  # a table none of whose parts was expected
            staging = self.temporary[table.key]
            if not any(staging.glob("part-*.parquet")):  # readers need a file: never leave none
                schema = KEYED_SCHEMAS[table.shape]
                pq.write_table(schema.empty_table(), staging / EMPTY_PART)
            final = self.folder(table)
            if final.exists():
                shutil.rmtree(final)
            staging.rename(final)


def _raw_columns(table: Table, rows: Rows, persons: PersonSpace, reference: date) -> dict:
    ids = fixed_strings(persons.id_matrix(rows.g))
    columns = {
        "school_code": pa.array(rows.codes).take(pa.array(rows.school)),
        "id_number": ids,
        "name": persons.names(rows.g),
    }
    shape = table.shape
    if shape in {"enrolment", "list"}:
        numbers = persons.phone_number(np.maximum(rows.phone, 0))
        columns["phone"] = pa.array(numbers, mask=rows.phone < 0).cast(pa.string())
        born = persons.birth_days(rows.g)
        columns["grade"] = pa.array(GRADES[rows.stage]).take(
            pa.array(grade_index(rows, born, reference))
        )
    if shape in {"recipients", "list"}:
        columns["project"] = pa.array(PROJECTS).take(pa.array(rows.project))
        columns["amount"] = amounts(rows.project)
    if shape == "enrolment":
        columns["status"] = pa.array(STATUSES).take(pa.array(rows.status))
    if shape == "graduates":
        columns["graduation_year"] = pa.array(rows.graduation_year, pa.int32())
    if shape == "list":
        majors = list(MAJORS) if rows.stage == "vocational" else [""]
        pick = bits(mix64(rows.g, 0x5EED), 0, 16) % len(majors)
        columns["major"] = pa.array(majors).take(pa.array(pick))
    return columns


class RawSink:
    """Import files: registers/{kind}_{YYYY-MM}.csv (or .parquet), lists/{year}-{term}/
    {school}_{project}.csv and lists_manifest.csv naming each list."""

    parallel = False  # a register is one file, written part after part

    def __init__(self, out: Path, persons: PersonSpace, reference: date, register_format: str):
        self.out = out
        self.persons = persons
        self.reference = reference
        self.register_format = register_format
        self.writers: dict[tuple, object] = {}
        self.manifest: list[list] = []
        self.lock = threading.Lock()
        (out / "registers").mkdir(parents=True, exist_ok=True)
        (out / "lists").mkdir(parents=True, exist_ok=True)

    def register_path(self, table: Table) -> Path:
        _, kind, month = table.key
        return self.out / "registers" / f"{kind}_{month}.{self.register_format}"

    def write(self, table: Table, rows: Rows, part: str) -> int:
        if table.is_list:
            self._write_lists(table, rows)
        else:
            columns = _raw_columns(table, rows, self.persons, self.reference)
            data = pa.table({name: columns[name] for name in RAW_HEADERS[table.shape]})
            writer = self.writers.get(table.key)
            if writer is None:
                path = self.register_path(table)
                if self.register_format == "parquet":
                    writer = pq.ParquetWriter(path, data.schema)
                else:
                    writer = pacsv.CSVWriter(path, data.schema, write_options=CSV_OPTIONS)
                self.writers[table.key] = writer
            writer.write_table(data)
        return len(rows)

    def _write_lists(self, table: Table, rows: Rows) -> None:
        _, year, term = table.key
        folder = self.out / "lists" / f"{year}-{term}"
        folder.mkdir(exist_ok=True)
        order = np.lexsort((rows.project, rows.school))
        school, project = rows.school[order], rows.project[order]
        columns = _raw_columns(table, rows, self.persons, self.reference)
        data = pa.table({name: columns[name] for name in RAW_HEADERS["list"]}).take(pa.array(order))
        starts = np.flatnonzero(np.diff(school * 1000 + project, prepend=-1))
        ends = np.append(starts[1:], len(order))
        for start, end in zip(starts, ends, strict=True):
            code, name = rows.codes[school[start]], PROJECTS[project[start]]
            path = folder / f"{code}_{name}.csv"
            pacsv.write_csv(data.slice(start, end - start), path, write_options=CSV_OPTIONS)
            self.manifest.append([code, name, year, term, path.relative_to(self.out).as_posix()])

    def finish(self, tables: list[Table]) -> None:
        for writer in self.writers.values():
            writer.close()
        for table in tables:
            if not table.is_list and table.key not in self.writers:
                schema = pa.schema([(n, pa.string()) for n in RAW_HEADERS[table.shape]])
                pacsv.write_csv(
                    schema.empty_table(), self.register_path(table), write_options=CSV_OPTIONS
                )
        with (self.out / "lists_manifest.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(MANIFEST_HEADER)
            writer.writerows(sorted(self.manifest))
