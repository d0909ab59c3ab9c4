"""The eight register kinds (DESIGN §9): the columns of their import files and of their
snapshots in the analytics store (docs/analytics-store.md, "registers/{kind}")."""

import pyarrow as pa

from zizhu.anomalies.engine.inputs import REGISTER_KINDS
from zizhu.lib.tabular import Column

ENROLMENT = "enrolment"
RECIPIENTS = "recipients"
GRADUATES = "graduates"

KINDS = REGISTER_KINDS
ACTIVE_STATUS = "在籍"


def shape_of(kind: str) -> str:
    """The file and store layout a kind shares with the other kinds of its group."""
    if kind not in KINDS:
        raise ValueError(f"unknown register kind {kind!r}; use one of {', '.join(KINDS)}")
    return kind.split("_", 1)[0]


_COMMON = [
    Column("school_code", "学校标识码"),
    Column("id_number", "身份证件号"),
    Column("name", "姓名"),
]
FILE_COLUMNS: dict[str, list[Column]] = {
    ENROLMENT: [
        *_COMMON,
        Column("grade", "年级", required=False),
        Column("status", "学籍状态", required=False),
        Column("phone", "联系电话", required=False),
    ],
    RECIPIENTS: [
        *_COMMON,
        Column("project", "资助项目"),
        Column("amount", "资助金额", required=False),
    ],
    GRADUATES: [*_COMMON, Column("graduation_year", "毕业年份")],
}

_KEYS = [("school_code", pa.string()), ("pid", pa.int64()), ("birth_date", pa.date32())]
STORE_SCHEMAS: dict[str, pa.Schema] = {
    ENROLMENT: pa.schema(
        [*_KEYS, ("phone_key", pa.int64()), ("status", pa.string()), ("grade", pa.string())]
    ),
    RECIPIENTS: pa.schema([*_KEYS, ("project", pa.string()), ("amount", pa.decimal128(12, 2))]),
    GRADUATES: pa.schema([*_KEYS, ("graduation_year", pa.int32())]),
}
# Parquet dictionary encoding where values repeat; random keys would only fall back to plain.
DICTIONARY_COLUMNS = ("school_code", "birth_date", "status", "grade", "project")
