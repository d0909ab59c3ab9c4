"""The DuckDB input views: a view over Parquet files with the columns the checks read."""

import duckdb
import pyarrow as pa

from .inputs import VIEW_COLUMNS

_ARROW_TYPES = {"BIGINT": pa.int64(), "INT": pa.int32(), "STRING": pa.string(), "DATE": pa.date32()}


def register_view(
    con: duckdb.DuckDBPyConnection,
    view: str,
    files: tuple[str, ...],
    *,
    where: str = "",
    kept: tuple[str, ...] | None = None,
) -> None:
    """The input view `view` (inputs.VIEW_COLUMNS) over `files`, cast to its types: only the
    rows `where` holds (an SQL condition of this package's own text), and only the columns
    `kept` read from the files, the others null (default: all of them read). No files: an
    empty view."""
    types = VIEW_COLUMNS[view]
    if not files:
        empty = pa.schema([(c, _ARROW_TYPES[t]) for c, t in types.items()]).empty_table()
        con.register(view, empty)
        return
    read = types if kept is None else kept
    projection = ", ".join(
        f"CAST({c if c in read else 'NULL'} AS {t}) AS {c}" for c, t in types.items()
    )
    paths = ", ".join("'" + file.replace("'", "''") + "'" for file in files)
    # A temp view: a connection's own, so that cursors running side by side (one key range
    # each) do not see each other's.
    con.execute(
        f"CREATE TEMP VIEW {view} AS SELECT {projection} "  # noqa: S608 (names: VIEW_COLUMNS)
        f"FROM read_parquet([{paths}], hive_partitioning = false, union_by_name = false)"
        + (f" WHERE {where}" if where else "")
    )
