"""The checked rows go into the database a batch at a time (zizhu.lib.bulk), each batch made
ahead in a thread of its own (zizhu.lib.ahead): on PostgreSQL by a COPY of the batches
written as CSV by Arrow, on SQLite as multi-row INSERTs. What is written must be exactly what
was checked, or nothing."""

import pytest
from django.db import IntegrityError, transaction

from tests.recipients.factories import rows
from tests.recipients.test_import import _import
from zizhu.recipients.fields import SealedTextField
from zizhu.recipients.models import RecipientList, RecipientRow

# every character COPY's text format gives a meaning to, and the quotes of CSV and SQL
HOSTILE = ["张\t三", "李\n四", "王\\五", "\\N", "\\.", "赵\r六", '钱"七', "孙'八", "周\\t九"]
HOSTILE += ["吴,九", '郑",十', '"', ","]


def test_names_grades_and_majors_with_tabs_newlines_and_backslashes_are_stored_as_read(tree):
    table = rows(*range(len(HOSTILE)))
    for (_, raw), text in zip(table, HOSTILE, strict=True):
        raw.update(name=text, grade=text[::-1], major=f"{text}专业")

    target = _import(tree["3661000001"], table).recipient_list

    stored = {r.row_number: (r.name, r.grade, r.major) for r in target.rows.all()}
    assert stored == {
        number: (text, text[::-1], f"{text}专业")
        for (number, _), text in zip(table, HOSTILE, strict=True)
    }


def test_a_batch_that_cannot_be_made_leaves_no_list_and_no_row(tree, monkeypatch):
    # batches of 4 rows: sealed a batch at a time (SQLite) or a checked chunk at a time as the
    # file is read (PostgreSQL)
    monkeypatch.setattr("zizhu.recipients.storing.SEAL_BATCH", 4)
    monkeypatch.setattr("zizhu.recipients.services.CHECK_ROWS", 4)
    seal_array, calls = SealedTextField.seal_array, []

    def failing(self, values):
        calls.append(len(values))
        if len(calls) == 3 * 3:  # the third batch's last sealed column: two batches are in
            raise OSError("no entropy")
        return seal_array(self, values)

    monkeypatch.setattr(SealedTextField, "seal_array", failing)
    with pytest.raises(OSError, match="no entropy"):
        _import(tree["3661000001"], rows(*range(20)))
    assert len(calls) == 9
    assert not RecipientList.objects.exists()
    assert not RecipientRow.objects.exists()


def test_an_empty_text_is_stored_empty_and_a_missing_phone_key_as_null(tree):
    table = rows(1, 2)
    table[1][1].update(phone="", major="")

    target = _import(tree["3661000001"], table).recipient_list

    stored = {r.row_number: (r.major, r.phone, r.phone_key is None) for r in target.rows.all()}
    assert stored == {2: ("", "13800000001", False), 3: ("", "", True)}


@pytest.mark.parametrize("pids", [[[7, 7]], [[7, 8], [7, 9]]], ids=["a batch", "two batches"])
def test_a_row_the_database_refuses_raises_djangos_integrity_error_and_stores_nothing(tree, pids):
    """The same person twice on one list: SQLite's own cursor and PostgreSQL's COPY each
    raise under Django's error wrapper, within one batch or across two."""
    import pyarrow as pa

    from zizhu.lib.bulk import insert_tables
    from zizhu.recipients.storing import ROW_COLUMNS

    target = _import(tree["3661000001"], rows(1)).recipient_list
    row = {"recipient_list": target.pk, "row_number": 2, "id_number": "x", "name": "张三"}
    row |= {"sex": "male", "birth_date": "2008-03-15", "grade": "", "major": "", "phone": ""}
    row |= {"phone_key": None, "amount": "1.00", "bank_account": ""}
    batches = [
        pa.table(
            {n: [v] * len(p) if n != "pid" else p for n, v in (row | {"pid": 0}).items()}
        ).select(ROW_COLUMNS)
        for p in pids
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_tables(RecipientRow, ROW_COLUMNS, iter(batches), analyze_after=False)
    assert target.rows.count() == 1


@pytest.mark.parametrize("part", [slice(0, 5), slice(1, 5), slice(2, 4), slice(3, 4), slice(0, 0)])
def test_phone_keys_from_arrows_bytes_are_the_keyed_hashes_of_each_phone(part, settings):
    import pyarrow as pa

    from zizhu.recipients.storing import phone_keys
    from zizhu.registers.hashing import KeyHasher
    from zizhu.store.keys import phone_key

    phones = pa.array(["13800000001", "", "13912345678", "", "15000000000"])
    sliced = phones.slice(part.start, part.stop - part.start)  # an offset into the buffers
    key = settings.ZIZHU_HASH_KEY.encode()
    expected = [phone_key(p, key) if p else None for p in sliced.to_pylist()]
    assert phone_keys(KeyHasher(), sliced).to_pylist() == expected


def test_a_phone_of_another_length_is_refused_not_cut():
    import pyarrow as pa

    from zizhu.recipients.storing import phone_keys
    from zizhu.registers.hashing import KeyHasher

    with pytest.raises(ValueError, match="11 characters"):
        phone_keys(KeyHasher(), pa.array(["138000000012", ""]))
