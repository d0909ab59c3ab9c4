"""Audit records are append-only: the model refuses changes, and so does the database
(a trigger on SQLite and PostgreSQL). PostgreSQL also refuses to delete recent rows."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.audit.conftest import record_at
from zizhu.audit.models import AuditEvent
from zizhu.audit.services import audit_record

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the DELETE trigger exists on PostgreSQL only (run with DATABASE_URL=postgres://…)",
)


@pytest.fixture
def event(db):
    return audit_record(action="filing.submit", username="county_operator")


def sql(statement: str, *params) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def test_it_refuses_to_save_a_changed_record(event):
    event.action = "filing.approve"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "filing.submit"


def test_it_refuses_to_delete_a_record_through_the_model(event):
    with pytest.raises(ValueError, match="retention purge"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_refuses_a_raw_sql_update(event):
    with pytest.raises(DatabaseError, match="audit records are append-only"):
        sql("UPDATE audit_auditevent SET action = %s WHERE id = %s", "forged", event.pk)
    assert AuditEvent.objects.get(pk=event.pk).action == "filing.submit"


def test_it_refuses_a_queryset_update(event):
    with pytest.raises(DatabaseError, match="audit records are append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(result="failure")
    assert AuditEvent.objects.get(pk=event.pk).result == "success"


def test_it_refuses_to_back_date_a_record(event):
    earlier = event.at - timedelta(days=400)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(at=earlier)


def test_it_still_accepts_new_records(event):
    audit_record(action="filing.approve", username="county_supervisor")
    assert AuditEvent.objects.count() == 2


@pytest.mark.postgres
@needs_postgres
def test_it_refuses_a_raw_sql_delete_of_a_recent_record_on_postgres(event):
    with pytest.raises(DatabaseError, match="younger than 180 days cannot be deleted"):
        sql("DELETE FROM audit_auditevent WHERE id = %s", event.pk)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@needs_postgres
def test_it_refuses_a_delete_of_a_179_day_old_record_on_postgres(db):
    event = record_at(timezone.now() - timedelta(days=179), action="login")
    with pytest.raises(DatabaseError, match="younger than 180 days"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
@needs_postgres
def test_it_lets_records_past_the_retention_floor_be_deleted_on_postgres(db):
    event = record_at(timezone.now() - timedelta(days=181), action="login")
    assert sql("DELETE FROM audit_auditevent WHERE id = %s", event.pk) == 1
