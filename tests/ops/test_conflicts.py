"""A transaction PostgreSQL rolls back to end a deadlock or a serialization failure: the page
says in Chinese that the system was busy, nothing was saved and the user should submit again
(503, Retry-After: 1; docs/operations.md), not that the database is unreachable; the REST API
says the same in its JSON error shape (code "busy"; docs/api.md)."""

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.test import Client
from psycopg import errors

from tests.conftest import login_as
from zizhu.api.models import IdempotencyKey
from zizhu.api.services import api_token_create

BUSY = ("系统繁忙", "没有保存任何内容", "请重新提交")


def assert_busy_page(response) -> None:
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert all(text in body for text in BUSY), body
    assert "数据库暂时无法连接" not in body and "服务器出错" not in body
    assert "deadlock" not in body and "serialize" not in body and "Traceback" not in body


def assert_busy_answer(response) -> None:
    """The API's: its error shape, code "busy", the page's Chinese text."""
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "busy" and error["fields"] == []
    assert all(text in error["message"] for text in BUSY), error
    assert "deadlock" not in response.content.decode()


def wrapped(error: errors.OperationalError) -> OperationalError:
    """`error` as Django hands it on: its own OperationalError, caused by psycopg's."""
    try:
        raise OperationalError(str(error)) from error
    except OperationalError as django_error:
        return django_error


@pytest.mark.parametrize(
    "error",
    [
        errors.DeadlockDetected("deadlock detected"),
        errors.SerializationFailure("could not serialize access due to concurrent update"),
        wrapped(errors.SerializationFailure("could not serialize access due to read/write")),
    ],
    ids=["deadlock", "serialization", "serialization through Django"],
)
def test_a_rolled_back_transaction_gets_the_busy_page(users, settings, error):
    from tests.ops import broken_urls

    settings.ROOT_URLCONF = "tests.ops.broken_urls"
    broken_urls.ERROR[:] = [error]
    client = Client(raise_request_exception=False)
    login_as(client, users["county_operator"])
    assert_busy_page(client.get("/broken/"))


def test_other_database_errors_keep_their_pages(users, settings):
    """An operational error that is not a rollback of that kind (the server gone, a query
    cancelled) is still the database-unreachable page."""
    from tests.ops import broken_urls

    settings.ROOT_URLCONF = "tests.ops.broken_urls"
    broken_urls.ERROR[:] = [wrapped(errors.QueryCanceled("canceling statement"))]
    client = Client(raise_request_exception=False)
    login_as(client, users["county_operator"])
    response = client.get("/broken/")
    assert response.status_code == 503
    assert "数据库暂时无法连接" in response.content.decode()
    assert "系统繁忙" not in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("door", ["page", "api"])
def test_a_real_deadlock_gets_the_busy_page_and_saves_nothing_of_the_request(users, settings, door):
    if connection.vendor != "postgresql":
        pytest.skip("a deadlock needs PostgreSQL (run with DATABASE_URL=postgres://…)")
    from tests.ops import conflict_urls

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_conflict_rows (id int PRIMARY KEY, note text NOT NULL)")
        cursor.execute("INSERT INTO test_conflict_rows VALUES (1, 'before'), (2, 'before')")
    holds_row_2 = threading.Event()
    backend: list[int] = []
    outcome: list[str] = []

    def other() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:  # its own connection
                cursor.execute("SET LOCAL deadlock_timeout = '10s'")
                cursor.execute("SELECT pg_backend_pid()")
                backend.append(cursor.fetchone()[0])
                cursor.execute("UPDATE test_conflict_rows SET note = 'other' WHERE id = 2")
                holds_row_2.set()
                cursor.execute("UPDATE test_conflict_rows SET note = 'other' WHERE id = 1")
            outcome.append("committed")
        except Exception as error:
            outcome.append(repr(error))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)

    def start_other() -> None:
        thread.start()
        assert holds_row_2.wait(timeout=30)
        with connection.cursor() as cursor:  # pg_locks is read live, inside a transaction too
            for _ in range(3000):
                cursor.execute("SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted", backend)
                if cursor.fetchone():
                    return
                time.sleep(0.01)
        raise AssertionError("the other transaction never waited for row 1")

    settings.ROOT_URLCONF = "tests.ops.conflict_urls"
    conflict_urls.OTHER[:] = [start_other]
    try:
        client = Client(raise_request_exception=False)
        if door == "page":
            login_as(client, users["county_operator"])
            response = client.get("/deadlocked/")
        else:  # a write with a token and an Idempotency-Key, as another system sends it
            token = api_token_create(user=users["county_operator"], name="t", days=1)
            response = client.post(
                "/api/deadlocked/",
                HTTP_AUTHORIZATION=f"Bearer {token.value}",
                HTTP_IDEMPOTENCY_KEY="deadlocked-1",
            )
        thread.join(timeout=60)
        if door == "page":
            assert_busy_page(response)
        else:
            assert_busy_answer(response)
            assert not IdempotencyKey.objects.exists()  # the key was rolled back: retry it
        assert outcome == ["committed"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, note FROM test_conflict_rows ORDER BY id")
            assert cursor.fetchall() == [(1, "other"), (2, "other")]  # nothing of the page's
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS test_conflict_rows")
