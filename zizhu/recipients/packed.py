"""The checked rows of a list between its check and its store, out of memory: each chunk of
the file, once checked, is written to an anonymous temporary file twice, sorted by `pid`
(the rows, for the store) and by ID (the lines of the content hash), and read back merged in
that order a batch at a time. What stays in memory is the keys of the runs (16 bytes a
row; the check keeps ~24 more until it ends): a 1,000,000-row list no longer holds ~450 MB
of Python strings.

The temporary file holds the plain values, as the uploaded file itself does until its job
ends; it is made beside the uploads (`recipient_list_upload` keeps them in MEDIA_ROOT),
has no name and is gone when closed or when the process ends: ~200 bytes a row, ~200 MB
of disk for a 1,000,000-row list while it is imported."""

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zizhu.lib.scratch import scratch_folder
from zizhu.recipients.validation import HASHED_COLUMNS, CleanColumns, id_keys

ROW_COLUMNS = ("row_number", "id_number", "name", "sex", "birth_date", "grade", "major")
ROW_COLUMNS += ("phone", "amount", "bank_account")
# the types pyarrow infers for a chunk's checked columns (a test compares), given: where
# dateutil is not installed, inferring a list's type tries to import it every time (~0.4 ms)
ROW_SCHEMA = pa.schema(
    {
        "row_number": pa.int64(),
        **{name: pa.string() for name in ROW_COLUMNS[1:]},
        "birth_date": pa.int32(),  # days since 1970-01-01
        "pid": pa.int64(),
    }
)


@contextmanager
def arrow_in_malloc() -> Iterator[None]:
    """Arrow's buffers from the C library's malloc while inside, not from Arrow's own pool
    (mimalloc), which keeps what is freed for Arrow alone: what an import's arrays free is
    then reused by the Python strings of the chunks that follow (a 100,000-row list's peak
    ~25 MB lower, ADR 0020). Buffers made inside are freed by the pool that made them."""
    before = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(before)


RUN_ROWS = 20000  # rows sorted and written at a time (a run)
BLOCK_ROWS = 512  # rows of a run written and read back at a time
HASH_BATCH = 10_000  # lines hashed at a time


def spill_file() -> BinaryIO:
    """An anonymous temporary file in the scratch folder: ~200 bytes a row of a list, gone
    when closed."""
    folder = scratch_folder()
    return tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - the caller closes it


def _id_matrix(ids: pa.Array) -> np.ndarray:
    """Checked IDs (18 ASCII characters each) as an (n, 18) uint8 view of the Arrow data."""
    offsets = np.frombuffer(ids.buffers()[1], dtype=np.int32)[ids.offset :][: len(ids) + 1]
    if offsets[-1] - offsets[0] != 18 * len(ids):
        raise ValueError("not 18 ASCII characters an ID")
    data = np.frombuffer(ids.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(len(ids), 18)


class SortedRuns:
    """Tables written as runs, each already sorted by its keys, read back merged in key
    order. Within a run the merged order visits the rows in turn, so a batch of the merged
    order needs from each run only the next rows: each block is read once (twice where a
    batch ends inside it)."""

    def __init__(self, file) -> None:
        self._file = file
        self._schema: pa.Schema | None = None
        self._blocks: list[list[tuple[int, int]]] = []  # per run: (offset, size) a block
        self._keys: list[np.ndarray] = []
        self.rows = 0

    def add(self, table: pa.Table, keys: np.ndarray) -> None:
        self._schema = table.schema
        blocks = []
        # one chunk a column, so every block but the run's last has BLOCK_ROWS rows (_read
        # finds a row's block by that); a table of one chunk is not copied
        for batch in table.combine_chunks().to_batches(max_chunksize=BLOCK_ROWS):
            data = batch.serialize()
            blocks.append((self._file.tell(), data.size))
            self._file.write(data)
        self._blocks.append(blocks)
        self._keys.append(keys)
        self.rows += len(keys)

    def merged(self, rows: int) -> Iterator[pa.Table]:
        """The rows of every run in key order, `rows` at a time (one chunk a column). Reads
        the runs once: their keys are let go."""
        self._file.flush()
        sizes = np.array([len(k) for k in self._keys], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)])
        keys = np.concatenate([np.empty(0, np.int64), *self._keys])
        self._keys = []
        order = np.argsort(keys, kind="stable")
        del keys
        done = np.zeros(len(sizes), dtype=np.int64)  # rows of each run already given
        cache: dict[int, tuple[int, pa.RecordBatch]] = {}
        for at in range(0, len(order), rows):
            positions = order[at : at + rows]
            runs = np.searchsorted(starts, positions, side="right") - 1
            counts = np.bincount(runs, minlength=len(sizes))
            pieces, base = [], np.zeros(len(sizes), dtype=np.int64)
            offset = 0
            for run in np.flatnonzero(counts).tolist():
                base[run] = offset - done[run]
                pieces += self._read(run, int(done[run]), int(done[run] + counts[run]), cache)
                offset += int(counts[run])
            done += counts
            table = pa.Table.from_batches(pieces, self._schema).combine_chunks()
            yield table.take(base[runs] + positions - starts[runs])

    def _read(self, run: int, lo: int, hi: int, cache: dict) -> list[pa.RecordBatch]:
        """Rows lo … hi - 1 of `run`, as slices of its blocks."""
        pieces = []
        for block in range(lo // BLOCK_ROWS, (hi - 1) // BLOCK_ROWS + 1):
            cached = cache.get(run)
            if cached is None or cached[0] != block:
                offset, size = self._blocks[run][block]
                data = os.pread(self._file.fileno(), size, offset)
                cached = (block, pa.ipc.read_record_batch(pa.py_buffer(data), self._schema))
                cache[run] = cached
            first = block * BLOCK_ROWS
            start, stop = max(lo, first) - first, min(hi, first + BLOCK_ROWS) - first
            pieces.append(cached[1].slice(start, stop - start))
        return pieces


class CheckedRows:
    """The clean rows of a list, a chunk at a time (`add`), kept for the store (`tables`, in
    `pid` order) and the content hash (`content_hash`, in ID order). Where `send` is set,
    each chunk's rows go there as they are added (as `tables` would give them, in the file's
    order) instead of being kept."""

    def __init__(self, file: BinaryIO | None = None) -> None:
        """`file`: a temporary file to write to (shared by lists loaded together, closed by
        its owner); by default one of its own, closed by `close`."""
        self._own = file is None
        self._file = file or spill_file()
        self.send: Callable[[pa.Table], None] | None = None
        self._rows = SortedRuns(self._file)
        self._lines = SortedRuns(self._file)  # every row's hash line: as many as rows added
        self.total_amount = Decimal("0.00")
        self._pending: list[pa.Table] = []  # checked chunks not yet written
        self._pending_rows = 0

    def __enter__(self) -> "CheckedRows":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own:
            self._file.close()

    def __len__(self) -> int:
        return self._lines.rows + self._pending_rows

    @classmethod
    def of(
        cls, clean: CleanColumns, pids: np.ndarray, file: BinaryIO | None = None
    ) -> "CheckedRows":
        rows = cls(file)
        rows.add(clean, pids)
        return rows

    def add(self, clean: CleanColumns, pids: np.ndarray) -> None:
        """A chunk's clean rows and their pids, kept as Arrow until RUN_ROWS are pending."""
        if not len(clean):
            return
        self.total_amount += clean.total_amount()
        columns = {name: getattr(clean, name) for name in ROW_COLUMNS}
        columns.update(birth_date=clean.birth_date, pid=pids)
        table = pa.table(columns, schema=ROW_SCHEMA)
        if self.send is not None:
            self.send(_iso_dates(table))
        self._pending.append(table)
        self._pending_rows += len(clean)
        if self._pending_rows >= RUN_ROWS:
            self._spill()

    def _spill(self) -> None:
        """The pending rows as one run of each file: sorted by `pid`, and hash lines by ID."""
        if not self._pending:
            return
        table = pa.concat_tables(self._pending).combine_chunks()
        self._pending, self._pending_rows = [], 0
        if self.send is None:
            pids = table.column("pid").to_numpy()
            by_pid = np.argsort(pids, kind="stable")
            self._rows.add(table.take(by_pid), pids[by_pid])
        keys = id_keys(_id_matrix(table.column("id_number").chunk(0)))
        by_id = np.argsort(keys, kind="stable")
        parts = [table.column(name) for name in HASHED_COLUMNS]
        joined = pc.binary_join_element_wise(*parts, "\x1f")  # the last one: the separator
        lines = pc.binary_join_element_wise(joined, "", "\x1e").take(by_id)
        self._lines.add(pa.table({"line": lines}), keys[by_id])

    def content_hash(self) -> str:
        """`validation.content_hash` of the same rows: the same digest."""
        self._spill()
        digest = hashlib.sha256()
        for table in self._lines.merged(HASH_BATCH):
            text = table.column("line").chunk(0) if table.num_rows else pa.array([], pa.string())
            offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset :]
            digest.update(memoryview(text.buffers()[2])[offsets[0] : offsets[len(text)]])
        return digest.hexdigest()

    def tables(self, size: int) -> Iterator[pa.Table]:
        """The rows kept, in `pid` order, `size` at a time, as Arrow: ROW_COLUMNS, `birth_date`
        in ISO form and `pid`."""
        self._spill()
        for table in self._rows.merged(size):
            yield _iso_dates(table)


def _iso_dates(table: pa.Table) -> pa.Table:
    """`birth_date` (days since 1970-01-01) as ISO text."""
    born = table.column("birth_date").cast(pa.date32()).cast(pa.string())
    return table.set_column(table.schema.get_field_index("birth_date"), "birth_date", born)
