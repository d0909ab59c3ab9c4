"""Where things are in the analytics store (docs/analytics-store.md): a store root (a local
folder or an object-storage URL), the register kinds and their snapshots, the list partitions
and the folders of check runs.

The bottom of the analytics side: the engine, the register import, the list export and the
synthetic generator import it; it imports nothing of theirs (and no Django).
"""

import os
from typing import NamedTuple

import pyarrow.fs as pafs

from zizhu.lib.periods import Month
from zizhu.store.buckets import PHONES_PREFIX

REGISTER_KINDS = (
    "enrolment_senior_high",
    "enrolment_compulsory",
    "enrolment_vocational",
    "recipients_higher",
    "recipients_senior_high",
    "recipients_compulsory",
    "recipients_technical",
    "graduates_senior_high",
)


def register_partition(kind: str, month: Month | str) -> str:
    """The folder of one register snapshot, relative to the store's root."""
    return f"registers/{kind}/month={month}"


def lists_partition(school_year: int, term: str) -> str:
    """The folder of one term's approved recipient lists, relative to a store's root."""
    return f"lists/school_year={school_year}/term={term}"


def run_folder(run_id: int) -> str:
    """The folder a check run writes its lists into (removed when the run ends)."""
    return f"runs/run={run_id}"


class Store:
    """A store root: a local folder or a URL pyarrow understands (s3://, gs://, …)."""

    def __init__(self, location: str | os.PathLike[str]):
        text = os.fspath(location)
        if "://" in text:
            self.fs, self.root = pafs.FileSystem.from_uri(text)
            self.prefix = text.rstrip("/")
        else:
            self.fs = pafs.LocalFileSystem()
            self.root = os.path.abspath(text)
            self.prefix = self.root
        self.root = self.root.rstrip("/")

    def _children(self, relative: str) -> list[pafs.FileInfo]:
        selector = pafs.FileSelector(f"{self.root}/{relative}", allow_not_found=True)
        return self.fs.get_file_info(selector)

    def _uri(self, info: pafs.FileInfo) -> str:
        return self.prefix + info.path[len(self.root) :]

    def subfolders(self, relative: str) -> list[str]:
        return sorted(
            i.base_name for i in self._children(relative) if i.type == pafs.FileType.Directory
        )

    def remove(self, relative: str) -> None:
        """Delete a folder of the store and everything in it (nothing if it is not there)."""
        path = f"{self.root}/{relative}"
        if self.fs.get_file_info(path).type == pafs.FileType.Directory:
            self.fs.delete_dir(path)

    def parquet_files(self, relative: str) -> tuple[str, ...]:
        """The Parquet files directly inside `relative` (hidden and `_` files skipped)."""
        return self.partition(relative).rows

    def partition(self, relative: str) -> "PartitionFiles":
        """The files of one partition folder: its rows, its phone side files
        (docs/analytics-store.md, "Buckets") and the bytes of its rows, from one listing."""
        rows, phones, size = [], [], 0
        for info in self._children(relative):
            name = info.base_name
            if info.type != pafs.FileType.File or not name.endswith(".parquet"):
                continue
            if name.startswith(PHONES_PREFIX):
                phones.append(self._uri(info))
            elif not name.startswith((".", "_")):
                rows.append(self._uri(info))
                size += info.size or 0
        return PartitionFiles(tuple(sorted(rows)), tuple(sorted(phones)), size)


class PartitionFiles(NamedTuple):
    rows: tuple[str, ...]
    phones: tuple[str, ...]
    bytes: int


def latest_snapshot(store: Store, kind: str, month: Month) -> Month | None:
    """The greatest snapshot month ≤ `month` of a register kind."""
    months = []
    for name in store.subfolders(f"registers/{kind}"):
        try:
            snapshot = Month.parse(name.removeprefix("month="))
        except ValueError:  # not a snapshot, e.g. a half-written month=YYYY-MM.tmp-<uuid>
            continue
        if name.startswith("month=") and snapshot <= month:
            months.append(snapshot)
    return max(months, default=None)
