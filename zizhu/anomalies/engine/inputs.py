"""What a check of month M reads from the analytics store (docs/analytics-store.md, "Periods").

The engines never list the store themselves: `locate` finds the Parquet files of every input
and the engines only register them as views. Listing goes through pyarrow's file systems, so
the store may be a local folder or an object-storage URL (`s3://bucket/prefix`).
"""

import os
from dataclasses import dataclass
from datetime import date

from zizhu.lib.periods import TERMS, Month
from zizhu.store.layout import (
    REGISTER_KINDS,
    Store,
    latest_snapshot,
    lists_partition,
    register_partition,
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
    phones: tuple[str, ...] = ()  # the side files keyed by phone, where written
    bytes: int = 0  # the size of `files`

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
    term_lists = lists_root.partition(lists_partition(school_year, term))
    earlier = [lists_root.partition(lists_partition(school_year - 3, t)) for t in TERMS]
    sources = [
        Source("lists_term", term_lists.rows, None, term_lists.phones, term_lists.bytes),
        Source(
            "lists_3y",
            tuple(file for listing in earlier for file in listing.rows),
            bytes=sum(listing.bytes for listing in earlier),
        ),
    ]
    for kind in REGISTER_KINDS:
        snapshot = latest_snapshot(root, kind, checked)
        if snapshot is None:
            sources.append(Source(kind, ()))
            continue
        listing = root.partition(register_partition(kind, snapshot))
        sources.append(Source(kind, listing.rows, snapshot, listing.phones, listing.bytes))
    return Inputs(checked, reference_date or checked.first_day, tuple(sources))
