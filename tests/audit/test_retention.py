"""The retention purge deletes records older than ZIZHU_AUDIT_RETENTION_DAYS, and never any
younger than 180 days, whatever the setting says."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.audit.conftest import record_at
from zizhu.audit.models import AuditEvent
from zizhu.audit.services import audit_purge


@pytest.fixture
def ages(db):
    """One record per age in days, named by its age, written oldest first as the trail is."""
    now = timezone.now()
    return {
        days: record_at(now - timedelta(days=days), action=f"age.{days}").pk
        for days in (400, 366, 364, 200, 181, 179, 1)
    }


def remaining_ages() -> list[int]:
    actions = AuditEvent.objects.filter(action__startswith="age.").values_list("action", flat=True)
    return sorted(int(action.removeprefix("age.")) for action in actions)


def test_it_keeps_185_days_by_default(settings, ages):
    assert settings.ZIZHU_AUDIT_RETENTION_DAYS == 185
    assert audit_purge() == 4
    assert remaining_ages() == [1, 179, 181]


def test_it_keeps_the_configured_number_of_days(settings, ages):
    settings.ZIZHU_AUDIT_RETENTION_DAYS = 365
    assert audit_purge() == 2
    assert remaining_ages() == [1, 179, 181, 200, 364]


def test_it_never_keeps_less_than_180_days(settings, ages):
    # env_int refuses such a value at start-up; the purge does not trust the setting either
    settings.ZIZHU_AUDIT_RETENTION_DAYS = 30
    assert audit_purge() == 5
    assert remaining_ages() == [1, 179]


def test_it_audits_the_purge_with_the_range_it_removed(settings, ages):
    last_removed = AuditEvent.objects.get(pk=ages[200])
    now = timezone.now()
    audit_purge(now=now)
    event = AuditEvent.objects.get(action="audit.purge")
    assert event.detail == {
        "deleted": 4,
        "cutoff": (now - timedelta(days=185)).isoformat(),
        "first_id": ages[400],
        "last_id": ages[200],
        "last_hash": last_removed.hash,
    }
    assert event.at >= now - timedelta(minutes=1)  # the purge record itself is not purged


def test_it_removes_only_the_oldest_part_of_the_chain(db):
    """A record older than the cutoff written after a younger one (a clock set back) waits
    until the records before it go: the chain loses its beginning, never a link inside."""
    now = timezone.now()
    oldest = record_at(now - timedelta(days=300), action="age.300")
    record_at(now - timedelta(days=10), action="age.10")
    record_at(now - timedelta(days=250), action="age.250")

    assert audit_purge(now=now) == 1
    assert remaining_ages() == [10, 250]
    assert AuditEvent.objects.get(action="audit.purge").detail["last_id"] == oldest.pk


def test_it_deletes_nothing_when_nothing_is_old(db):
    record_at(timezone.now() - timedelta(days=10), action="login")
    assert audit_purge() == 0
    assert AuditEvent.objects.filter(action="login").count() == 1


def test_it_runs_as_a_management_command(ages, capsys):
    call_command("purge_audit")
    assert capsys.readouterr().out.strip() == "deleted 4 audit record(s)"
    assert remaining_ages() == [1, 179, 181]
