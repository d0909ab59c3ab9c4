"""The checked rows go into the database a batch at a time (zizhu.lib.bulk): on PostgreSQL by
COPY, on SQLite as statements whose batches are made ahead in a thread of their own
(zizhu.lib.ahead). What is written must be exactly what was checked, or nothing."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.recipients.factories import rows
from tests.recipients.test_import import _import
from zizhu.recipients.fields import SealedTextField
from zizhu.recipients.models import RecipientList, RecipientRow

# every character COPY's text format gives a meaning to, and the quotes of CSV and SQL
HOSTILE = ["张\t三", "李\n四", "王\\五", "\\N", "\\.", "赵\r六", '钱"七', "孙'八", "周\\t九"]


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
    monkeypatch.setattr("zizhu.recipients.services.SEAL_BATCH", 4)
    seal_many, calls = SealedTextField.seal_many, []

    def failing(self, values):
        calls.append(len(values))
        if len(calls) == 3 * 3:  # the third batch's last sealed column: two batches are in
            raise OSError("no entropy")
        return seal_many(self, values)

    monkeypatch.setattr(SealedTextField, "seal_many", failing)
    with pytest.raises(OSError, match="no entropy"):
        _import(tree["3661000001"], rows(*range(20)))
    assert len(calls) == 9
    assert not RecipientList.objects.exists()
    assert not RecipientRow.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own cursor")
def test_a_row_sqlite_refuses_raises_djangos_integrity_error_and_stops_the_insert(tree):
    from zizhu.lib.bulk import insert_columns
    from zizhu.recipients.services import ROW_COLUMNS

    target = _import(tree["3661000001"], rows(1)).recipient_list
    row = [target.pk, 2, "x", 7, "张三", "male", "2008-03-15", "", "", "", None, "1.00", ""]
    twice = [[value, value] for value in row]  # the same person twice on one list
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_columns(RecipientRow, ROW_COLUMNS, iter([twice, twice]), analyze_after=False)
    assert target.rows.count() == 1
