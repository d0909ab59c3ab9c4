"""Every recipient row belongs to a list that exists, in the database itself: SQLite's foreign
key, PostgreSQL's triggers checking a statement's rows at once
(recipients/migrations/0006_row_lists_checked_by_statement.py). Each statement is committed:
SQLite's foreign key is checked at the commit."""

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from tests.recipients.factories import make_list
from tests.stack.servers import database_url
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.recipients.models import RecipientList, RecipientRow

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the lists' triggers and row locks are PostgreSQL's (run with DATABASE_URL=postgres://…)",
)
pytestmark = pytest.mark.django_db(transaction=True)
COLUMNS = [
    f.column
    for f in RecipientRow._meta.concrete_fields
    if not f.primary_key and f.name != "recipient_list"
]


def copy_rows(source: RecipientList, list_id: int) -> None:
    """The rows of `source` inserted again with `list_id` as their list, in one statement."""
    listed = ", ".join(COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO recipients_recipientrow ({listed}, recipient_list_id) "  # noqa: S608
            f"SELECT {listed}, %s FROM recipients_recipientrow WHERE recipient_list_id = %s",
            [list_id, source.pk],
        )


def sql(statement: str, *params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def school(tree):
    seed_catalogue(AidProject)  # a transactional test's flush emptied the seeded catalogue
    return tree["3661000001"]


@pytest.fixture
def stored(school):
    return make_list(school, 1, 2, 3)


def test_rows_of_a_list_that_does_not_exist_are_refused(stored):
    missing = RecipientList.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1

    with pytest.raises(IntegrityError):
        copy_rows(stored, missing)

    assert RecipientRow.objects.count() == 3


def test_rows_of_an_existing_list_are_stored(stored, school):
    other = make_list(school, 4, batch=2)

    copy_rows(stored, other.pk)

    assert other.rows.count() == 1 + 3


def test_moving_rows_to_a_list_that_does_not_exist_is_refused(stored):
    missing = RecipientList.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1

    with pytest.raises(IntegrityError):
        sql("UPDATE recipients_recipientrow SET recipient_list_id = %s", missing)

    assert stored.rows.count() == 3


def test_a_list_that_still_has_rows_cannot_be_deleted(stored):
    with pytest.raises(IntegrityError):
        sql("DELETE FROM recipients_recipientlist WHERE id = %s", stored.pk)

    assert RecipientList.objects.filter(pk=stored.pk).exists()
    assert stored.rows.count() == 3


def test_deleting_a_list_deletes_its_rows_first(stored, school):
    kept = make_list(school, 4, batch=2)

    stored.delete()

    assert list(RecipientRow.objects.values_list("recipient_list", flat=True)) == [kept.pk]


def test_a_list_without_rows_can_be_deleted(school):
    empty = make_list(school, 1)
    empty.rows.all().delete()

    sql("DELETE FROM recipients_recipientlist WHERE id = %s", empty.pk)

    assert not RecipientList.objects.filter(pk=empty.pk).exists()


def test_a_list_with_rows_keeps_its_id(stored):
    with pytest.raises(IntegrityError):
        sql("UPDATE recipients_recipientlist SET id = id + 1000 WHERE id = %s", stored.pk)

    assert stored.rows.count() == 3


@needs_postgres
def test_the_lists_cannot_be_truncated_without_their_rows(stored):
    with pytest.raises(IntegrityError):
        sql("TRUNCATE recipients_recipientlist CASCADE")

    assert stored.rows.count() == 3


@needs_postgres
def test_the_lists_and_their_rows_can_be_truncated_together(stored):
    sql("TRUNCATE recipients_recipientrow, recipients_recipientlist CASCADE")

    assert not RecipientList.objects.exists()
    assert not RecipientRow.objects.exists()


@needs_postgres
def test_the_rows_table_has_no_foreign_key_a_row():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint "
            "WHERE conrelid = 'recipients_recipientrow'::regclass AND contype = 'f'"
        )
        assert cursor.fetchone() == (0,)


@needs_postgres
def test_inserting_rows_locks_their_list_against_deletion_until_the_commit(school):
    stored = make_list(school, 1, 2, 3)
    other = make_list(school, 4, batch=2)
    with transaction.atomic():
        copy_rows(stored, other.pk)  # its locks last until this transaction ends
        with psycopg.connect(database_url(connection), autocommit=True) as rival:
            # a deletion's lock waits for the inserting transaction; a change of another
            # column (FOR NO KEY UPDATE) does not
            with pytest.raises(psycopg.errors.LockNotAvailable):
                rival.execute(
                    "SELECT 1 FROM recipients_recipientlist WHERE id = %s FOR UPDATE NOWAIT",
                    [other.pk],
                )
            rival.execute(
                "SELECT 1 FROM recipients_recipientlist WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                [other.pk],
            )
            unlocked = rival.execute(
                "SELECT 1 FROM recipients_recipientlist WHERE id = %s FOR UPDATE NOWAIT",
                [stored.pk],
            ).fetchall()
    assert unlocked == [(1,)]
    assert other.rows.count() == 1 + 3
