"""The Parquet schemas of the analytics store (docs/analytics-store.md): the one definition the
writers (register import, list export, synthetic generator) and the tests use, and the engine's
input columns are checked against (tests/anomalies/engine/test_inputs.py)."""

import pyarrow as pa

from zizhu.store.layout import REGISTER_KINDS

ENROLMENT = "enrolment"
RECIPIENTS = "recipients"
GRADUATES = "graduates"

_KEYS = [("school_code", pa.string()), ("pid", pa.int64()), ("birth_date", pa.date32())]
# a register snapshot's columns, by the shape its kind shares with the other kinds of its group
REGISTER_SCHEMAS: dict[str, pa.Schema] = {
    ENROLMENT: pa.schema(
        [*_KEYS, ("phone_key", pa.int64()), ("status", pa.string()), ("grade", pa.string())]
    ),
    RECIPIENTS: pa.schema([*_KEYS, ("project", pa.string()), ("amount", pa.decimal128(12, 2))]),
    GRADUATES: pa.schema([*_KEYS, ("graduation_year", pa.int32())]),
}
# one row per person on an approved recipient list of a school year and term
LISTS_SCHEMA = pa.schema(
    [
        ("row_id", pa.int64()),
        ("school_code", pa.string()),
        ("stage", pa.string()),
        ("project", pa.string()),
        ("programme", pa.string()),
        ("pid", pa.int64()),
        ("birth_date", pa.date32()),
        ("phone_key", pa.int64()),
        ("id_masked", pa.string()),
    ]
)
# Parquet dictionary encoding where values repeat; random keys would only fall back to plain.
DICTIONARY_COLUMNS = (
    "school_code",
    "birth_date",
    "status",
    "grade",
    "project",
    "stage",
    "programme",
)


def shape_of(kind: str) -> str:
    """The file and store layout a register kind shares with the other kinds of its group."""
    if kind not in REGISTER_KINDS:
        raise ValueError(f"unknown register kind {kind!r}; use one of {', '.join(REGISTER_KINDS)}")
    return kind.split("_", 1)[0]


def register_schema(kind: str) -> pa.Schema:
    return REGISTER_SCHEMAS[shape_of(kind)]
