"""What a check of month M reads from the analytics store (docs/analytics-store.md, "Periods").

The engines never list the store themselves: `locate` finds the Parquet files of every input
and the engines only register them as views. Listing goes through pyarrow's file systems, so
the store may be a local folder or an object-storage URL (`s3://bucket/prefix`).
"""

import os
from dataclasses import dataclass
from datetime import date

import pyarrow.fs as pafs

from zizhu.lib.periods import TERMS, Month

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

# The columns each input view exposes to the check SQL, with their SQL types (names understood
# by both DuckDB and Spark). Only these columns are read from the Parquet files.
_ENROLMENT = {"school_code": "STRING", "pid": "BIGINT", "status": "STRING", "phone_key": "BIGINT"}
_RECIPIENTS = {"school_code": "STRING", "pid": "BIGINT"}
VIEW_COLUMNS: dict[str, dict[str, str]] = {
    "lists_term": {
        "row_id": "BIGINT",
        "school_code": "STRING",
        "stage": "STRING",
        "programme": "STRING",
        "pid": "BIGINT",
        "birth_date": "DATE",
        "phone_key": "BIGINT",
        "id_masked": "STRING",
    },
    "lists_3y": {"school_code": "STRING", "stage": "STRING", "pid": "BIGINT"},
    "enrolment_senior_high": _ENROLMENT,
    "enrolment_compulsory": _ENROLMENT,
    "enrolment_vocational": _ENROLMENT,
    "recipients_higher": _RECIPIENTS,
    "recipients_senior_high": _RECIPIENTS,
    "recipients_compulsory": _RECIPIENTS,
    "recipients_technical": _RECIPIENTS,
    "graduates_senior_high": {"school_code": "STRING", "pid": "BIGINT", "graduation_year": "INT"},
}


@dataclass(frozen=True)
class Source:
    view: str
    files: tuple[str, ...]  # empty: the view exists but has no rows
    snapshot: Month | None = None  # the register snapshot chosen, for registers

    @property
    def columns(self) -> dict[str, str]:
        return VIEW_COLUMNS[self.view]


@dataclass(frozen=True)
class Inputs:
    month: Month
    reference_date: date
    sources: tuple[Source, ...]

    @property
    def school_year(self) -> int:
        return self.month.school_year


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
        return tuple(
            sorted(
                self._uri(i)
                for i in self._children(relative)
                if i.type == pafs.FileType.File
                and i.base_name.endswith(".parquet")
                and not i.base_name.startswith((".", "_"))
            )
        )


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


def locate(
    store: "Store | str | os.PathLike[str]",
    month: Month | str,
    reference_date: date | None = None,
    lists_store: "Store | str | os.PathLike[str] | None" = None,
) -> Inputs:
    """The inputs of a check of `month`: the registers of `store`, and the recipient lists of
    `lists_store` (default: `store`; a run reads the lists it wrote into a folder of its own)."""
    root = store if isinstance(store, Store) else Store(store)
    if lists_store is None:
        lists_root = root
    else:
        lists_root = lists_store if isinstance(lists_store, Store) else Store(lists_store)
    checked = Month.parse(month) if isinstance(month, str) else month
    school_year, term = checked.school_year, checked.term
    sources = [
        Source(
            "lists_term", lists_root.parquet_files(f"lists/school_year={school_year}/term={term}")
        ),
        Source(
            "lists_3y",
            tuple(
                file
                for t in TERMS
                for file in lists_root.parquet_files(
                    f"lists/school_year={school_year - 3}/term={t}"
                )
            ),
        ),
    ]
    for kind in REGISTER_KINDS:
        snapshot = latest_snapshot(root, kind, checked)
        files = root.parquet_files(f"registers/{kind}/month={snapshot}") if snapshot else ()
        sources.append(Source(kind, files, snapshot))
    return Inputs(checked, reference_date or checked.first_day, tuple(sources))
