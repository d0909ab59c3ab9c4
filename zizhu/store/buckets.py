"""Buckets of the analytics store (docs/analytics-store.md, "Buckets").

`pid` and `phone_key` are uniform 64-bit keys, so their top bits split the rows into buckets of
about equal size, and bucket order is key order. A writer puts each bucket of `pid` in a file
of its own, with min/max statistics on `pid`; a query that asks for a range of keys then opens
only the files of that range. Rows that carry a phone are also written once more, keyed by
phone, to side files (`_phones-*.parquet`), a file per bucket of `phone_key`.

The layout is for speed only: a reader filters on the key range it wants, so a file written in
any order, or without statistics, gives the same answers, read in full.

The bottom of the analytics side, beside `layout`: imports nothing of the project.
"""

import numpy as np
import pyarrow as pa

BITS = 6
COUNT = 1 << BITS
_SHIFT = 64 - BITS

# The side file of the rows with a phone: its name's prefix (a leading `_` hides it from
# readers that list a partition's rows) and its columns, by the shape of the partition.
PHONES_PREFIX = "_phones-"
PHONE_SCHEMAS = {
    "enrolment": pa.schema([("phone_key", pa.int64()), ("pid", pa.int64())]),
    "list": pa.schema(
        [
            ("phone_key", pa.int64()),
            ("pid", pa.int64()),
            ("stage", pa.string()),
            ("programme", pa.string()),
        ]
    ),
}


def of(keys: np.ndarray) -> np.ndarray:
    """The bucket (0 … COUNT-1) of each int64 key: its top bits, the smallest keys in 0."""
    return ((keys >> _SHIFT) + COUNT // 2).astype(np.uint8)


def grouped(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that groups `keys` by bucket (stable: rows keep their order within a bucket),
    and where each bucket starts in that order (COUNT + 1 offsets, the last one the length)."""
    buckets = of(keys)
    order = np.argsort(buckets, kind="stable")
    starts = np.searchsorted(buckets[order], np.arange(COUNT + 1), side="left")
    return order, starts


def key_range(first: int, stop: int) -> tuple[int | None, int | None]:
    """The keys of buckets first … stop-1: (lowest key, first key past them); None where the
    range is open because it reaches the end of int64."""
    low = None if first == 0 else (first - COUNT // 2) << _SHIFT
    high = None if stop == COUNT else (stop - COUNT // 2) << _SHIFT
    return low, high


def phone_table(table: pa.Table, shape: str) -> pa.Table:
    """The side-file rows of `table` (a register's enrolment rows or a list's rows): those
    with a phone, only the columns of PHONE_SCHEMAS[shape], in the table's order."""
    schema = PHONE_SCHEMAS[shape]
    phones = table.column("phone_key")
    if phones.null_count:
        table = table.filter(phones.is_valid())
    return table.select(schema.names).cast(schema)
