"""The engines' common output: one row per finding, typed and in a fixed order."""

import os
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

from zizhu.lib.periods import Month

from .checks import FINDING_COLUMNS

FINDINGS_SCHEMA = pa.schema(
    [
        pa.field("month", pa.string(), nullable=False),
        pa.field("rule", pa.int32(), nullable=False),
        pa.field("risk", pa.string(), nullable=False),
        pa.field("programme", pa.string(), nullable=False),
        pa.field("school_code", pa.string(), nullable=False),
        pa.field("pid", pa.int64(), nullable=False),
        pa.field("row_id", pa.int64(), nullable=False),
        pa.field("id_masked", pa.string()),
        pa.field("counterpart_school_code", pa.string()),
        pa.field("counterpart_kind", pa.string()),
        pa.field("detail", pa.string(), nullable=False),
    ]
)


def finalise(raw: pa.Table, month: Month) -> pa.Table:
    """Add the month and cast to FINDINGS_SCHEMA (the SQL has sorted the rows)."""
    columns = {name: raw.column(name) for name in FINDING_COLUMNS}
    columns["month"] = pa.array([str(month)] * raw.num_rows, pa.string())
    arrays = [columns[f.name].cast(f.type) for f in FINDINGS_SCHEMA]
    for field, array in zip(FINDINGS_SCHEMA, arrays, strict=True):
        if not field.nullable and array.null_count:
            raise ValueError(f"findings: {field.name} is missing in {array.null_count} rows")
    return pa.Table.from_arrays(arrays, schema=FINDINGS_SCHEMA)


def write_findings(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write findings to a local Parquet file, replacing it atomically."""
    target = os.fspath(path)
    temporary = f"{target}.tmp-{uuid.uuid4().hex}"
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
