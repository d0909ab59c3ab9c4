"""Writing one partition folder of the analytics store (docs/analytics-store.md): a register
snapshot `registers/{kind}/month=YYYY-MM` or a list partition `lists/school_year=Y/term=T`.

The partition is bucketed ("Buckets" in the contract): rows arrive in chunks, and each chunk is
split by the bucket of `pid` into one file per bucket, `part-BB.parquet` (BB = 00 … 63), opened
when its bucket first has rows. A bucket's rows are buffered and written a row group of about
ROW_GROUP rows at a time, so a row group never holds two buckets and its `pid` statistics cover
one bucket's range. When the schema has `phone_key` (enrolment registers, lists), the rows with
a phone also go to side files `_phones-BB.parquet`, split the same way by the bucket of
`phone_key`. A partition without rows gets one empty `part-0.parquet`: a reader needs a file to
know the columns.

Files go to `<folder>.tmp-<uuid>/`; `commit` puts that folder in the place of the partition,
`abort` deletes it. The engines skip folders whose name is not exactly a partition name, so they
never read a half-written one.

On a local folder the old snapshot is first renamed aside (`month=….old-<uuid>`) and the new
one renamed into place: two renames, a window of microseconds in which the month has no
snapshot. Object stores have no rename: there the files are moved one by one after the old
ones are deleted, which is not atomic (docs/registers.md).
"""

import contextlib
import os
import shutil
import threading
import uuid

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from zizhu.store import buckets
from zizhu.store.layout import Store

PART = "part-"
EMPTY_PART = "part-0.parquet"
# Rows a bucket buffers before they are written as one row group. Each bucket of both families
# holds up to this many while rows arrive, and a chunk stays in memory until its last bucket's
# slice is written: about buckets.COUNT × ROW_GROUP rows are held (all of a 1,000,000-row
# register). Measured on 4,000,000 enrolment rows with 32 buckets of 32,768: +130 MB peak over
# one file (+200 MB at 65,536), the same speed; with 64 buckets the same rows are held at
# 16,384.
ROW_GROUP = 16_384


def _phone_shape(schema: pa.Schema) -> str | None:
    """The side files' shape (a key of buckets.PHONE_SCHEMAS) of a partition with this
    schema, None when its rows carry no phone: lists have `stage`, enrolment registers not."""
    if "phone_key" not in schema.names:
        return None
    return "list" if "stage" in schema.names else "enrolment"


def writer_options(schema: pa.Schema, key: str, dictionary_columns: tuple[str, ...]) -> dict:
    """The Parquet options of a bucketed file of the project's writers: snappy, dictionaries
    where values repeat, min/max only where a reader prunes on them (the key of the bucket)."""
    return {
        "compression": "snappy",
        "use_dictionary": [c for c in dictionary_columns if c in schema.names],
        "write_statistics": [key],
    }


class BucketFiles:
    """One family of files of a folder, `{prefix}BB.parquet`: a file per bucket of `key`, each
    opened when its bucket first has rows, written a row group of about ROW_GROUP rows at a
    time. `add` may be called from several threads at once (a lock a bucket). `schema` None:
    the schema of the first rows written (every later table must have the same). `row_group`:
    another size than ROW_GROUP."""

    def __init__(
        self,
        fs: pafs.FileSystem,
        folder: str,
        prefix: str,
        key: str,
        schema: pa.Schema | None,
        options: dict,
        row_group: int | None = None,
    ):
        self.fs = fs
        self.folder = folder
        self.prefix = prefix
        self.key = key
        self.schema = schema
        self.options = options
        self.row_group = row_group
        self._writers: dict[int, pq.ParquetWriter] = {}
        self._buffers: list[list[pa.Table]] = [[] for _ in range(buckets.COUNT)]
        self._buffered = [0] * buckets.COUNT
        self._locks = [threading.Lock() for _ in range(buckets.COUNT)]

    def add(self, table: pa.Table, starts: np.ndarray | None = None) -> None:
        """Buffer `table`'s rows by bucket (in their order within a bucket); write the buffers
        that reach ROW_GROUP rows. `starts`: the table is already in bucket order, and these
        are where its buckets start (buckets.grouped)."""
        if not table.num_rows:
            return
        if starts is None:
            order, starts = buckets.grouped(table.column(self.key).to_numpy())
            # one take for the chunk, then zero-copy slices of it
            table = table.take(order)
        for bucket in range(buckets.COUNT):
            start, stop = int(starts[bucket]), int(starts[bucket + 1])
            if stop == start:
                continue
            with self._locks[bucket]:
                self._buffers[bucket].append(table.slice(start, stop - start))
                self._buffered[bucket] += stop - start
                if self._buffered[bucket] >= (self.row_group or ROW_GROUP):
                    self._write(bucket)

    def close(self) -> None:
        """Write what is buffered and close the files."""
        for bucket in range(buckets.COUNT):
            if self._buffered[bucket]:
                self._write(bucket)
        self.discard()

    def discard(self) -> None:
        """Close the files, dropping what is still buffered (all of it, after `close`)."""
        self._buffers = [[] for _ in range(buckets.COUNT)]
        self._buffered = [0] * buckets.COUNT
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.close()

    def _write(self, bucket: int) -> None:
        # the slices become one row group: ParquetWriter cuts row groups by rows, not chunks
        rows = pa.concat_tables(self._buffers[bucket])
        self._buffers[bucket] = []
        self._buffered[bucket] = 0
        if self.schema is None:  # the schema of the rows themselves (dictionaries included)
            self.schema = rows.schema
        self._writer(bucket).write_table(rows)

    def _writer(self, bucket: int) -> pq.ParquetWriter:
        if bucket not in self._writers:
            self._writers[bucket] = self.open(f"{self.prefix}{bucket:02d}.parquet")
        return self._writers[bucket]

    def open(self, name: str) -> pq.ParquetWriter:
        assert self.schema is not None, "no rows, and no schema given"
        return pq.ParquetWriter(
            f"{self.folder}/{name}", self.schema, filesystem=self.fs, **self.options
        )


class PartitionWriter:
    def __init__(
        self,
        store: Store | str | os.PathLike[str],
        relative: str,
        schema: pa.Schema,
        dictionary_columns: tuple[str, ...] = (),
    ):
        self.store = store if isinstance(store, Store) else Store(store)
        self.relative = relative
        self.final = f"{self.store.root}/{self.relative}"
        self.staging = f"{self.final}.tmp-{uuid.uuid4().hex}"
        self.store.fs.create_dir(self.staging, recursive=True)
        self.rows = 0
        fs = self.store.fs
        options = writer_options(schema, "pid", dictionary_columns)
        self._parts = BucketFiles(fs, self.staging, PART, "pid", schema, options)
        # the side files' shape and files, when the rows carry a phone
        self._phones: tuple[str, BucketFiles] | None = None
        shape = _phone_shape(schema)
        if shape is not None:
            side = buckets.PHONE_SCHEMAS[shape]
            options = writer_options(side, "phone_key", dictionary_columns)
            files = BucketFiles(fs, self.staging, buckets.PHONES_PREFIX, "phone_key", side, options)
            self._phones = (shape, files)

    @property
    def location(self) -> str:
        """Where the snapshot is once committed: a path, or a URL for object storage."""
        return f"{self.store.prefix}/{self.relative}"

    def write(self, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self._parts.add(table)
        if self._phones is not None:
            shape, phones = self._phones
            # only the side file's columns go through phone_table's filter
            columns = buckets.PHONE_SCHEMAS[shape].names
            phones.add(buckets.phone_table(table.select(columns), shape))
        self.rows += table.num_rows

    def _families(self) -> list[BucketFiles]:
        return [self._parts] if self._phones is None else [self._parts, self._phones[1]]

    def commit(self) -> str:
        for files in self._families():
            files.close()
        if not self.rows:
            self._parts.open(EMPTY_PART).close()
        fs = self.store.fs
        if isinstance(fs, pafs.LocalFileSystem):
            aside = None
            if os.path.exists(self.final):
                aside = f"{self.final}.old-{uuid.uuid4().hex}"
                os.rename(self.final, aside)
            os.rename(self.staging, self.final)
            if aside:
                shutil.rmtree(aside, ignore_errors=True)
        else:
            if fs.get_file_info(self.final).type == pafs.FileType.Directory:
                fs.delete_dir(self.final)
            fs.create_dir(self.final, recursive=True)
            for info in fs.get_file_info(pafs.FileSelector(self.staging)):
                fs.move(info.path, f"{self.final}/{info.base_name}")
            fs.delete_dir(self.staging)
        return self.location

    def abort(self) -> None:
        try:
            for files in self._families():
                files.discard()
        finally:
            with contextlib.suppress(OSError):  # FileNotFoundError included
                self.store.fs.delete_dir(self.staging)
