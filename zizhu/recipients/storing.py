"""A list's checked rows as the database stores them: the ID, phone and card number sealed
a column at a time (zizhu.recipients.fields), the ID and phone keyed (zizhu.registers.hashing),
a batch at a time as Arrow (zizhu.lib.bulk): inserted after the check (`store_rows`), or sent
to an open COPY as each chunk passes it (`RowSender`, PostgreSQL)."""

from collections.abc import Callable
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import DatabaseError

from zizhu.lib.bulk import insert_tables
from zizhu.recipients.fields import SealedTextField
from zizhu.recipients.models import RecipientRow
from zizhu.recipients.packed import CheckedRows
from zizhu.registers.hashing import KeyHasher

ROW_COLUMNS = [
    "recipient_list",
    "row_number",
    "id_number",
    "pid",
    "name",
    "sex",
    "birth_date",
    "grade",
    "major",
    "phone",
    "phone_key",
    "amount",
    "bank_account",
]


SEALED = ("id_number", "phone", "bank_account")
SEAL_BATCH = 5000


def phone_keys(hasher: KeyHasher, phones: pa.Array) -> pa.Array:
    """`phone_key` of each phone (null without a phone), hashed in one batch from the
    phones' own bytes: the checked phones are normalised, 11 ASCII digits, or empty."""
    has = pc.not_equal(phones, "").to_numpy(zero_copy_only=False)
    given = phones.filter(has)
    if pc.any(pc.not_equal(pc.binary_length(given), 11)).as_py():
        raise ValueError("a checked phone is not 11 characters long")
    start = int(np.frombuffer(given.buffers()[1], np.int32)[given.offset]) if len(given) else 0
    digits = np.frombuffer(given.buffers()[2] or b"", np.uint8, len(given) * 11, start)
    keys = np.zeros(len(has), dtype=np.int64)
    keys[has] = hasher.phone_keys(digits.reshape(-1, 11))
    return pa.array(keys, mask=~has)


def row_table(list_id: int, table: pa.Table, hasher: KeyHasher) -> pa.Table:
    """Checked rows (CheckedRows.tables) as the list's stored rows, in ROW_COLUMNS order:
    the ID, phone and card number sealed a column at a time (zizhu.recipients.fields), the
    phone keyed. Amounts and dates go as text, as the database adapters would write them."""
    columns = {
        "recipient_list": pa.array(np.full(table.num_rows, list_id, np.int64)),
        "phone_key": phone_keys(hasher, table.column("phone").combine_chunks()),
    }
    for name in SEALED:
        field = cast(SealedTextField, RecipientRow._meta.get_field(name))
        columns[name] = field.seal_array(table.column(name).combine_chunks())
    columns.update((n, table.column(n)) for n in ROW_COLUMNS if n not in columns)
    return pa.table({name: columns[name] for name in ROW_COLUMNS})


def store_rows(lists: list[tuple[int, CheckedRows]]) -> int:
    """Insert the clean rows of each (list id, rows) in one bulk insert, a batch of rows at a
    time (`row_table`).

    The rows go in by `pid` (their row numbers keep the file's order): the indexes on `pid`
    and on (list, `pid`) then grow at their right edge instead of at a random page for every
    row (SQLite: a 1,000,000-row list ~40 % less insert time; a PostgreSQL B-tree appends the
    same way). A list's rows stay one run of ids."""
    hasher = KeyHasher()
    tables = (
        row_table(list_id, table, hasher)
        for list_id, rows in lists
        for table in rows.tables(SEAL_BATCH)
    )
    # in key order the indexes' right edges are all SQLite's page cache needs: no `expected`;
    # the import and the bulk load read none of the rows back before they commit: no ANALYZE
    return insert_tables(RecipientRow, ROW_COLUMNS, tables, analyze_after=False)


class RowSender:
    """Each checked chunk's rows to the open COPY of `write` (bulk.copy_tables), until the
    database refuses one: the error is kept in `refused` and no more rows are sent (the
    COPY's end raises it again)."""

    def __init__(self, write: Callable[[pa.Table], None], list_id: int) -> None:
        self._write, self._list_id, self._hasher = write, list_id, KeyHasher()
        self.refused: DatabaseError | None = None

    def __call__(self, table: pa.Table) -> None:
        if self.refused is None:
            try:
                self._write(row_table(self._list_id, table, self._hasher))
            except DatabaseError as error:
                self.refused = error
