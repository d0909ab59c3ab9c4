"""The audit trail is a hash chain: each record's keyed hash covers the hash before it, so a
record changed, removed or slipped in past the append-only triggers (by someone with the
database owner's rights) is found by `verify_audit` at the right record. The retention purge
removes the oldest part and leaves an anchor for the rest; the chain holds when many
connections write at once (PostgreSQL)."""

import importlib
import io
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.audit.conftest import record_at
from zizhu.audit.chain import FIELDS, GENESIS, link
from zizhu.audit.models import AuditEvent
from zizhu.audit.services import audit_purge, audit_record
from zizhu.audit.verify import CHANGED, MISSING_BEFORE, UNLINKED

MIGRATION = importlib.import_module("zizhu.audit.migrations.0003_hash_chain")
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL (run with DATABASE_URL=postgres://…); "
    "SQLite has one writer at a time",
)


@contextmanager
def triggers_set_aside():
    """What the database owner can do: put the append-only triggers aside for a moment."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_guard")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_guard")
        else:
            cursor.execute(MIGRATION.SQLITE_TRIGGER)


def tamper(statement: str, *params) -> None:
    with triggers_set_aside(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        assert cursor.rowcount == 1


def verify() -> tuple[int, str]:
    """(exit status, what verify_audit printed)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", "--batch", "2", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue().strip()
    return 0, out.getvalue().strip()


@pytest.fixture
def trail(db):
    """Five events by five people, oldest first."""
    return [
        audit_record(action="login", username=name, detail={"n": n})
        for n, name in enumerate(["wang", "li", "zhao", "qian", "sun"])
    ]


def test_it_verifies_a_clean_chain(trail):
    assert trail[0].prev_hash == GENESIS
    assert [e.prev_hash for e in trail[1:]] == [e.hash for e in trail[:-1]]
    assert verify() == (0, "OK 5 events")


def test_it_reports_a_field_changed_in_the_database(trail):
    tamper("UPDATE audit_auditevent SET actor_username = 'nobody' WHERE id = %s", trail[2].pk)

    status, message = verify()

    assert status == 1
    assert message.startswith(f"BROKEN at event {trail[2].pk} (")
    assert CHANGED in message
    assert "2 events before it verified" in message


def test_it_reports_a_changed_detail(trail):
    tamper("UPDATE audit_auditevent SET detail = %s WHERE id = %s", '{"n": 9}', trail[1].pk)
    assert verify() == (
        1,
        f"BROKEN at event {trail[1].pk} ({local(trail[1])}): {CHANGED}; "
        "1 events before it verified",
    )


def test_it_reports_a_back_dated_record(trail):
    earlier = trail[3].at - timedelta(days=30)
    tamper("UPDATE audit_auditevent SET at = %s WHERE id = %s", earlier, trail[3].pk)
    status, message = verify()
    assert status == 1 and message.startswith(f"BROKEN at event {trail[3].pk} (")


def local(event) -> str:
    return timezone.localtime(event.at).isoformat(timespec="seconds")


def test_it_reports_a_record_removed_from_the_middle_at_the_next_one(trail):
    tamper("DELETE FROM audit_auditevent WHERE id = %s", trail[2].pk)

    status, message = verify()

    assert status == 1
    assert message.startswith(f"BROKEN at event {trail[3].pk} ({local(trail[3])}): {UNLINKED}")


def test_it_reports_the_oldest_records_removed_without_a_purge(trail):
    tamper("DELETE FROM audit_auditevent WHERE id = %s", trail[0].pk)

    status, message = verify()

    assert status == 1
    assert message.startswith(f"BROKEN at event {trail[1].pk} (") and MISSING_BEFORE in message


def test_it_reports_a_record_relinked_without_the_key(trail):
    """Whoever changes a record and recomputes its hash without the key is still found."""
    forged = {name: getattr(trail[2], name) for name in FIELDS} | {"actor_username": "nobody"}
    forged_hash = link(trail[2].prev_hash, forged, key=b"a guess at the key")
    tamper(
        "UPDATE audit_auditevent SET actor_username = 'nobody', hash = %s WHERE id = %s",
        forged_hash,
        trail[2].pk,
    )

    status, message = verify()

    assert status == 1
    assert message.startswith(f"BROKEN at event {trail[2].pk} (") and CHANGED in message


def test_it_verifies_after_the_retention_purge(db):
    now = timezone.now()
    for days in (400, 300, 200, 10, 1):
        record_at(now - timedelta(days=days), action="login", detail={"age": days})

    assert audit_purge(now=now) == 3
    assert verify() == (0, "OK 3 events")  # two kept and the purge's own record


def test_it_reports_records_removed_after_a_purge_beyond_its_range(db):
    now = timezone.now()
    ages = {
        days: record_at(now - timedelta(days=days), action="login", detail={"age": days})
        for days in (400, 300, 250, 10)
    }
    assert audit_purge(now=now - timedelta(days=100)) == 2  # 400 and 300
    tamper("DELETE FROM audit_auditevent WHERE id = %s", ages[250].pk)

    status, message = verify()

    assert status == 1 and MISSING_BEFORE in message


def test_it_keeps_values_the_database_normalises(db):
    """jsonb rewrites numbers (1e20 comes back as 100000000000000000000) and inet rewrites
    IPv6 addresses; the hash is over what the database gives back."""
    detail = {"b": [1.0, 1e20, 1e-7, 0.1, -0, True, None], "a": {"中文": "值", "2": 2}}
    audit_record(action="login", detail=detail, username="x")

    class Request:
        META = {"REMOTE_ADDR": "2001:DB8:0:0::1"}
        user = type("Anonymous", (), {"is_authenticated": False})()

    audit_record(action="login", request=Request(), username="y")
    assert verify() == (0, "OK 2 events")


def test_it_reads_the_trail_in_batches(trail, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert verify() == (0, "OK 5 events")  # 3 batches of 2 and the purge anchors


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_the_records_already_there():
    executor = MigrationExecutor(connection)
    before, after = [("audit", "0002_append_only")], [("audit", "0003_hash_chain")]
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("audit", "AuditEvent")
    for n in range(7):
        Old.objects.create(action="login", actor_username=f"u{n}", result="success", detail=[n])

    executor.loader.build_graph()
    executor.migrate(after)

    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert verify() == (0, "OK 7 events")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(action="forged")


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_link_to_the_same_record_on_postgres():
    writers, each = 8, 10
    start = threading.Barrier(writers)
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(each):
                with transaction.atomic():
                    audit_record(action="login", username=f"writer{n}", detail={"i": i})
                    time.sleep(0.005)  # the rest of the service's transaction
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(prev_hashes) == writers * each
    assert len(set(prev_hashes)) == len(prev_hashes)
    assert verify() == (0, f"OK {writers * each} events")
