"""Writing one partition folder of the analytics store (docs/analytics-store.md): a register
snapshot `registers/{kind}/month=YYYY-MM` or a list partition `lists/school_year=Y/term=T`.

Rows go to `<folder>.tmp-<uuid>/part-0.parquet`; `commit` puts that folder in the place of the
partition, `abort` deletes it. The engines skip folders whose name is not exactly a partition
name, so they never read a half-written one.

On a local folder the old snapshot is first renamed aside (`month=….old-<uuid>`) and the new
one renamed into place: two renames, a window of microseconds in which the month has no
snapshot. Object stores have no rename: there the files are moved one by one after the old
ones are deleted, which is not atomic (docs/registers.md).
"""

import contextlib
import os
import shutil
import uuid

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from zizhu.store.layout import Store

PART = "part-0.parquet"


class PartitionWriter:
    def __init__(
        self,
        store: Store | str | os.PathLike[str],
        relative: str,
        schema,
        dictionary_columns: tuple[str, ...] = (),
    ):
        self.store = store if isinstance(store, Store) else Store(store)
        self.relative = relative
        self.final = f"{self.store.root}/{self.relative}"
        self.staging = f"{self.final}.tmp-{uuid.uuid4().hex}"
        self.store.fs.create_dir(self.staging, recursive=True)
        self.rows = 0
        self._writer = pq.ParquetWriter(
            f"{self.staging}/{PART}",
            schema,
            filesystem=self.store.fs,
            compression="snappy",
            use_dictionary=[c for c in dictionary_columns if c in schema.names],
        )

    @property
    def location(self) -> str:
        """Where the snapshot is once committed: a path, or a URL for object storage."""
        return f"{self.store.prefix}/{self.relative}"

    def write(self, table: pa.Table) -> None:
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def commit(self) -> str:
        self._writer.close()
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
            self._writer.close()
        finally:
            with contextlib.suppress(OSError):  # FileNotFoundError included
                self.store.fs.delete_dir(self.staging)
