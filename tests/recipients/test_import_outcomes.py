"""What an upload leaves behind in each of its outcomes. On PostgreSQL the rows are sent to
the database while the file is still read and checked, inside one transaction (see
docs/performance/lists.md, "Rows stored while the file is checked"); on SQLite they are
stored after the check. Either way a refused file, or content the list already has, must
leave every list exactly as it was."""

import pytest
from django.core.exceptions import ValidationError

from tests.recipients.factories import make_list, rows
from zizhu.catalogue.models import AidProject
from zizhu.lib.tabular import TableError
from zizhu.recipients import services
from zizhu.recipients.models import RecipientList, RecipientRow, Status


def _import(school, table, **key):
    key = {"year": 2025, "term": "autumn", "batch": 1} | key
    project = AidProject.objects.get(code="vocational_national_grant")
    return services.recipient_list_import(school=school, project=project, rows=table, **key)


def _rows_of(recipient_list):
    return list(recipient_list.rows.order_by("id").values_list("id", "id_number", "amount"))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr("zizhu.recipients.services.CHECK_ROWS", 4)


def test_a_repeated_id_chunks_apart_and_a_person_on_another_batch_are_both_reported(
    tree, small_chunks
):
    """Every row passes its own checks, so the chunks before the repeat have been sent (on
    PostgreSQL the database refuses the repeated person); the report still names the row on
    batch 2, and neither list changes."""
    school = tree["3661000001"]
    other = make_list(school, 100, batch=2)
    before = _rows_of(other)
    table = rows(*range(20), 100, 0)  # row 22 repeats row 2; row 21's person is on batch 2

    with pytest.raises(TableError) as refused:
        _import(school, table)

    found = [(p.row, p.column, p.message) for p in refused.value.problems]
    assert found == [
        (22, "id_number", "已在本校同一项目、同一学期的第2批名单中"),
        (23, "id_number", "与第2行身份证件号重复"),
    ]
    assert list(RecipientList.objects.all()) == [other]
    assert _rows_of(other) == before


def test_a_refused_new_version_leaves_the_approved_one_and_no_version_number_used(
    tree, small_chunks, users
):
    school = tree["3661000001"]
    approved = _import(school, rows(1, 2), approve=True).recipient_list
    before = _rows_of(approved)
    table = rows(*range(10, 30))
    table[-1][1]["amount"] = "abc"

    with pytest.raises(TableError):
        _import(school, table)

    assert list(RecipientList.objects.values_list("version", "status")) == [(1, Status.APPROVED)]
    assert _rows_of(approved) == before
    assert _import(school, rows(3)).recipient_list.version == 2


def test_the_same_content_again_leaves_the_list_and_its_rows_as_they_were(tree, small_chunks):
    school = tree["3661000001"]
    first = _import(school, rows(*range(12)))
    before = _rows_of(first.recipient_list)

    again = _import(school, list(reversed(rows(*range(12)))))

    assert again.unchanged and again.recipient_list.pk == first.recipient_list.pk
    assert again.rows == 12
    assert _rows_of(first.recipient_list) == before  # the same rows, not new ones
    assert RecipientList.objects.count() == 1


def test_the_same_content_as_the_approved_version_makes_no_new_version(tree, small_chunks):
    school = tree["3661000001"]
    approved = _import(school, rows(*range(9)), approve=True).recipient_list

    again = _import(school, rows(*range(9)))

    assert again.unchanged and again.recipient_list.pk == approved.pk
    assert list(RecipientList.objects.values_list("version", flat=True)) == [1]


def test_a_submitted_list_is_checked_first_then_refused_and_kept(tree, users, small_chunks):
    school = users["school_operator"].unit
    draft = make_list(school, 1, 2, actor=users["school_operator"])
    services.recipient_list_submit(recipient_list=draft, actor=users["school_operator"])
    before = _rows_of(draft)
    bad = rows(3, 4)
    bad[0][1]["amount"] = "abc"

    with pytest.raises(TableError):  # the file's own problems come first
        _import(school, bad)
    with pytest.raises(ValidationError):
        _import(school, rows(3, 4))
    assert _import(school, rows(2, 1)).unchanged  # its own content: nothing to change

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert _rows_of(draft) == before


def test_the_import_says_once_how_many_rows_passed(tree, small_chunks):
    said = []
    project = AidProject.objects.get(code="vocational_national_grant")
    result = services.recipient_list_import(
        school=tree["3661000001"],
        project=project,
        year=2025,
        term="autumn",
        rows=rows(*range(10)),
        checked=said.append,
    )
    assert said == [10]
    assert RecipientRow.objects.filter(recipient_list=result.recipient_list).count() == 10


def test_a_row_the_database_refuses_without_a_problem_of_the_check_is_raised_and_nothing_kept(
    tree, small_chunks, monkeypatch
):
    """Not a file's fault (the check found nothing): the database's own error is raised, not
    swallowed, and every list stays as it was. Here one stored amount is made negative
    behind the check's back, which the table's constraint refuses."""
    import pyarrow as pa
    from django.db import IntegrityError

    from zizhu.recipients import storing

    school = tree["3661000001"]
    approved = _import(school, rows(1, 2), approve=True).recipient_list
    real, calls = storing.row_table, []

    def negative_on_the_second(list_id, table, hasher):
        stored = real(list_id, table, hasher)
        calls.append(stored.num_rows)
        if len(calls) != 2:
            return stored
        at = stored.schema.get_field_index("amount")
        return stored.set_column(at, "amount", pa.array(["-1.00"] * stored.num_rows))

    monkeypatch.setattr(storing, "row_table", negative_on_the_second)
    monkeypatch.setattr(storing, "SEAL_BATCH", 4)  # SQLite's batches: as small as the chunks
    with pytest.raises(IntegrityError):
        _import(school, rows(*range(10, 22)))
    assert len(calls) >= 2
    assert list(RecipientList.objects.values_list("version", flat=True)) == [1]
    assert approved.rows.count() == 2


def test_the_sender_stops_at_the_first_refusal_and_keeps_it():
    import pyarrow as pa
    from django.db import IntegrityError

    from zizhu.recipients.storing import RowSender

    sent, refusal = [], IntegrityError("refused")

    def write(table):
        sent.append(table.num_rows)
        if len(sent) == 2:
            raise refusal

    sender = RowSender(write, 1)
    chunk = pa.table(
        {
            "row_number": pa.array([2], pa.int64()),
            "id_number": ["110101200801010011"],
            "name": ["甲"],
            "sex": ["male"],
            "birth_date": ["2008-01-01"],
            "grade": [""],
            "major": [""],
            "phone": [""],
            "amount": ["1.00"],
            "bank_account": [""],
            "pid": pa.array([7], pa.int64()),
        }
    )
    for _ in range(4):
        sender(chunk)
    assert sent == [1, 1]
    assert sender.refused is refusal
