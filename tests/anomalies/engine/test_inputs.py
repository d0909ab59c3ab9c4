"""The engine's input views read only columns the store's one schema set has, with types the
check SQL can cast them to: the contract between the writers and the engine."""

import pyarrow as pa
import pytest

from zizhu.anomalies.engine.inputs import VIEW_COLUMNS
from zizhu.store.layout import REGISTER_KINDS
from zizhu.store.schemas import LISTS_SCHEMA, register_schema

SQL_TYPES = {
    "BIGINT": (pa.int64(),),
    "INT": (pa.int32(), pa.int64()),
    "STRING": (pa.string(),),
    "DATE": (pa.date32(),),
}


def _schema_of(view: str) -> pa.Schema:
    return LISTS_SCHEMA if view.startswith("lists_") else register_schema(view)


@pytest.mark.parametrize("view", sorted(VIEW_COLUMNS))
def test_every_input_column_is_a_column_of_the_store(view):
    schema = _schema_of(view)
    for column, sql_type in VIEW_COLUMNS[view].items():
        assert column in schema.names, f"{view}.{column} is not in the store's schema"
        assert schema.field(column).type in SQL_TYPES[sql_type], f"{view}.{column}"


def test_every_register_kind_is_an_input_of_the_engine():
    assert set(REGISTER_KINDS) <= set(VIEW_COLUMNS)
    assert set(VIEW_COLUMNS) - set(REGISTER_KINDS) == {"lists_term", "lists_3y"}
