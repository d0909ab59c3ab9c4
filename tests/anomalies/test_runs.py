"""Runs: pending → running → done / failed, the approved lists of the database checked (the
run writes them itself and records their versions), the month's findings replaced in one
transaction, explanations kept across re-runs, and never two runs of one month at once."""

import threading
from datetime import date, datetime
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from psycopg import errors

from tests.conftest import login_as
from zizhu.anomalies import services
from zizhu.anomalies.models import Explanation, Finding, FindingStatus, Run, RunStatus
from zizhu.anomalies.services import (
    RunConflict,
    RunError,
    run_abandon,
    run_create,
    run_execute,
    run_scheduled,
)
from zizhu.audit.models import AuditEvent
from zizhu.jobs.models import Status as JobStatus
from zizhu.jobs.services import job_run
from zizhu.recipients.models import RecipientList
from zizhu.recipients.models import Status as RecipientStatus

from .factories import MONTH, OLD, approved_list, make_explanation, old_subjects

SCHOOL_A, SCHOOL_B, SCHOOL_C = "3661000001", "3661000002", "3661000003"


def run_month(actor=None, month=MONTH) -> Run:
    run = run_create(month=month, actor=actor, enqueue=False)
    job_run(run.job_id)
    run.refresh_from_db()
    return run


@pytest.fixture
def world(tree):
    """Four 20-year-old subjects on approved lists: two at school A (one per programme), one
    at B, one at C; the lists, one per school and programme."""
    return old_subjects(
        (SCHOOL_A, 1, "tuition_waiver"),
        (SCHOOL_A, 2, "national_grant"),
        (SCHOOL_B, 3, "national_grant"),
        (SCHOOL_C, 4, "national_grant"),
    )


def test_it_runs_the_checks_and_stores_the_findings(world, users, settings):
    run = run_month(actor=users["sysadmin"])
    assert (run.status, run.total) == (RunStatus.DONE, 4)
    assert run.counts["20"] == 1 and run.counts["23"] == 3 and run.counts["1"] == 0
    assert len(run.counts) == 24
    assert run.started_at <= run.finished_at and run.duration is not None
    stored = set(Finding.objects.values_list("rule", "school__code", "pid", "detail", "status"))
    assert stored == {
        (20, SCHOOL_A, 1, "20", "open"),
        (23, SCHOOL_A, 2, "20", "open"),
        (23, SCHOOL_B, 3, "20", "open"),
        (23, SCHOOL_C, 4, "20", "open"),
    }
    assert set(Finding.objects.values_list("row__name", flat=True)) == {
        f"学生{n}" for n in (1, 2, 3, 4)
    }
    assert run.job.status == JobStatus.DONE and run.job.result["findings"] == 4
    assert run.job.percent == 100
    assert AuditEvent.objects.filter(action="anomalies.run", object_id=str(run.pk)).exists()
    # the versions checked are recorded; the run's own copy of the lists is gone afterwards
    assert set(run.lists.all()) == set(world)
    assert run.list_rows == {"2024-autumn": 4, "2021-autumn": 0, "2021-spring": 0}
    assert not (Path(settings.ZIZHU_STORE) / "runs" / f"run={run.pk}").exists()


def test_it_checks_only_what_is_approved_and_the_new_version_of_a_replaced_list(world, tree):
    draft = approved_list(SCHOOL_A, "national_grant", [(7, OLD)], batch=2)
    RecipientList.objects.filter(pk=draft.pk).update(status=RecipientStatus.SUBMITTED)
    replaced = world[3]  # school C's list, subject 4 …
    RecipientList.objects.filter(pk=replaced.pk).update(status=RecipientStatus.SUPERSEDED)
    newer = approved_list(SCHOOL_C, "national_grant", [(8, OLD)])  # … replaced by subject 8
    run = run_month()
    assert set(Finding.objects.values_list("pid", flat=True)) == {1, 2, 3, 8}
    assert newer in run.lists.all() and replaced not in run.lists.all()
    assert draft not in run.lists.all()


def test_it_keeps_explanations_across_a_rerun(world, users):
    first = run_month()
    finding = Finding.objects.get(pid=3)
    make_explanation(finding, users["school_operator"], decision="", note="确有其事")
    gone = Finding.objects.get(pid=4)
    make_explanation(gone, users["neighbour_school_operator"])

    # school C's list is replaced: subject 4 is no longer on it (no finding), the others persist
    RecipientList.objects.filter(pk=world[3].pk).update(status=RecipientStatus.SUPERSEDED)
    approved_list(SCHOOL_C, "national_grant", [(9, date(2008, 1, 1))], batch=1)
    second = run_month()

    assert second.total == 3
    again = Finding.objects.get(pid=3)
    assert again.pk != finding.pk and again.run == second
    assert again.status == FindingStatus.EXPLAINED  # re-attached by identity
    assert Finding.objects.get(pid=1).status == FindingStatus.OPEN
    assert not Finding.objects.filter(pid=4).exists()
    assert Explanation.objects.count() == 2  # the explanation of the gone finding stays
    assert not Finding.objects.filter(run=first).exists()


def test_it_restores_the_review_status_of_a_persisting_finding(world, users):
    run_month()
    finding = Finding.objects.get(pid=2)
    make_explanation(
        finding,
        users["school_operator"],
        decision="rejected",
        comment="证据不足",
        reviewer=users["county_operator"],
        reviewed_at=finding.run.created_at,
    )
    run_month()
    assert Finding.objects.get(pid=2).status == FindingStatus.REJECTED


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (OSError("the database went away"), "出错而中止"),
        (errors.DeadlockDetected("deadlock detected"), "系统繁忙"),
    ],
    ids=["error", "deadlock"],
)
def test_it_leaves_the_previous_findings_when_a_run_fails_mid_replace(
    world, monkeypatch, error, says
):
    first = run_month()
    before = sorted(Finding.objects.values_list("pk", "run_id"))
    inserted = []

    def failing_insert(objects):
        if inserted:
            raise error
        inserted.append(len(objects))
        Finding.objects.bulk_create(objects)

    monkeypatch.setattr(services, "BATCH", 2)  # 4 findings: two batches, the second fails
    monkeypatch.setattr(services, "_insert_batch", failing_insert)
    second = run_month()

    assert inserted == [2]  # the first batch had been written when the failure came
    assert second.status == RunStatus.FAILED
    # the page says it in Chinese; the error itself is in the job's result (and the log)
    assert says in second.error and "原有的核查结果保留" in second.error
    assert not any(c.isascii() and c.isalpha() for c in second.error), second.error
    assert second.finished_at is not None
    assert second.job.status == JobStatus.FAILED
    assert str(error) in second.job.result["error"]
    assert sorted(Finding.objects.values_list("pk", "run_id")) == before
    assert all(run_id == first.pk for _, run_id in before)
    assert AuditEvent.objects.filter(action="anomalies.run", result="failure").exists()


def test_it_fails_without_touching_the_findings_when_no_list_is_approved_any_more(world):
    run_month()
    pending = run_create(month=MONTH, enqueue=False)
    RecipientList.objects.update(status=RecipientStatus.SUPERSEDED)
    job_run(pending.job_id)
    pending.refresh_from_db()
    assert pending.status == RunStatus.FAILED
    assert "2024" in pending.error and Finding.objects.count() == 4


def test_it_refuses_a_run_while_no_list_of_the_term_is_approved(tree):
    approved_list(SCHOOL_A, "national_grant", [(1, OLD)], year=2021)  # three years ago only
    with pytest.raises(RunError):
        run_create(month=MONTH, enqueue=False)
    assert not Run.objects.exists()


def test_it_refuses_a_second_run_of_a_month_in_progress(world):
    first = run_create(month=MONTH, enqueue=False)
    with pytest.raises(RunConflict):
        run_create(month=MONTH, enqueue=False)
    run_create(month="2024-11", enqueue=False)  # another month of the term is fine
    Run.objects.filter(pk=first.pk).update(status=RunStatus.RUNNING)
    with pytest.raises(RunConflict):
        run_create(month=MONTH, enqueue=False)
    Run.objects.filter(pk=first.pk).update(status=RunStatus.DONE)
    assert run_create(month=MONTH, enqueue=False).status == RunStatus.PENDING


def test_the_database_refuses_two_active_runs_of_a_month(db):
    Run.objects.create(month=MONTH, engine="duckdb")
    Run.objects.create(month=MONTH, engine="duckdb", status=RunStatus.DONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Run.objects.create(month=MONTH, engine="spark", status=RunStatus.RUNNING)


def test_the_service_turns_a_lost_race_into_a_conflict(world, monkeypatch):
    Run.objects.create(month=MONTH, engine="duckdb", status=RunStatus.RUNNING)
    monkeypatch.setattr(services, "_refuse_if_active", lambda month: None)  # lose the race
    with pytest.raises(RunConflict):
        run_create(month=MONTH, enqueue=False)
    assert Run.objects.count() == 1


def test_a_run_is_claimed_once(world):
    run = run_create(month=MONTH, enqueue=False)
    run_execute(run_id=run.pk)
    with pytest.raises(RunConflict):
        run_execute(run_id=run.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_a_month_are_refused_on_postgresql(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises writers")
    from zizhu.catalogue.models import AidProject
    from zizhu.catalogue.seed import seed_catalogue
    from zizhu.units.services import UnitRow, units_import

    from ..conftest import TREE

    seed_catalogue(AidProject)  # a transactional test starts from a flushed database
    units_import(rows=[UnitRow(**vars(r)) for r in TREE])
    old_subjects((SCHOOL_A, 1, "national_grant"))
    barrier = threading.Barrier(2, timeout=10)

    def checked_then_wait(month):
        original(month)  # both see no active run …
        barrier.wait()  # … and then both insert

    original = services._refuse_if_active
    monkeypatch.setattr(services, "_refuse_if_active", checked_then_wait)
    outcomes: list[str] = []

    def attempt():
        try:
            run_create(month=MONTH, enqueue=False)
            outcomes.append("created")
        except RunConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["created", "refused"]
    assert Run.objects.filter(month=MONTH).count() == 1


def test_the_monthly_schedule_checks_the_current_month(tree):
    assert run_scheduled(today=date(2025, 10, 3)) is None  # no approved list: nothing to check
    approved_list(SCHOOL_A, "national_grant", [(1, OLD)], year=2025)
    run = run_scheduled(today=date(2025, 10, 3))
    assert (run.month, run.status, run.engine) == ("2025-10", RunStatus.PENDING, "duckdb")
    assert run.job.kind == "anomaly_run"
    assert run_scheduled(today=date(2025, 10, 3)) is None  # still pending: skipped


def test_the_schedule_is_a_periodic_task_on_the_third():
    from zizhu.anomalies.tasks import anomaly_run_monthly

    validate = anomaly_run_monthly.s().validate_datetime
    assert validate(datetime(2025, 10, 3, 2, 30))  # noqa: DTZ001 - huey compares naive times
    assert not validate(datetime(2025, 10, 4, 2, 30))  # noqa: DTZ001


def test_the_administrator_starts_a_run_and_follows_it(
    client, users, world, django_capture_on_commit_callbacks
):
    login_as(client, users["sysadmin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/anomalies/runs/", {"month": MONTH, "engine": "duckdb"})
    run = Run.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/anomalies/runs/{run.pk}/"
    assert run.status == RunStatus.DONE  # the queue runs inline in tests
    assert run.created_by == users["sysadmin"]
    page = client.get(f"/anomalies/runs/{run.pk}/")
    assert [(rule.number, n) for rule, _risk, n in page.context["counts"] if n] == [
        (20, 1),
        (23, 3),
    ]
    assert [(g.year, g.term, g.project, g.lists, g.rows) for g in page.context["list_groups"]] == [
        (2024, "autumn", "中职国家助学金", 3, 3),
        (2024, "autumn", "中职免学费", 1, 1),
    ]
    assert len(page.context["versions"]) == 4
    assert "未央职教中心" in page.content.decode()  # the versions name their school
    partial = client.get(f"/anomalies/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert b'id="run-progress"' in partial.content and b"<html" not in partial.content
    assert b"hx-trigger" not in partial.content  # finished: no more polling
    listing = client.get("/anomalies/runs/")
    assert list(listing.context["runs"]) == [run]


def test_the_run_page_polls_while_the_run_is_unfinished_and_refuses_a_second(client, users, world):
    login_as(client, users["sysadmin"])
    run = run_create(month=MONTH, enqueue=False)
    partial = client.get(f"/anomalies/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert b'hx-trigger="every 2s"' in partial.content
    response = client.post("/anomalies/runs/", {"month": MONTH, "engine": "duckdb"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Run.objects.count() == 1


def test_a_stuck_run_can_be_abandoned_so_the_month_runs_again(users, world):
    run = run_create(month=MONTH, enqueue=False)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert run_abandon(run=run, actor=users["sysadmin"]) is True
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "已由 sysadmin 标记为失败：该次核查无法完成。"
    assert run_abandon(run=run, actor=users["sysadmin"]) is False
    assert AuditEvent.objects.filter(action="anomalies.run_abandon").count() == 1
    run_create(month=MONTH, enqueue=False)


def test_a_run_writes_its_findings_in_batches_not_one_by_one(tree, monkeypatch):
    def queries_for(subjects: int) -> int:
        RecipientList.objects.update(status=RecipientStatus.SUPERSEDED)
        old_subjects(*[(SCHOOL_A, pid, "national_grant") for pid in range(1, subjects + 1)])
        run = run_create(month=MONTH, enqueue=False)
        with CaptureQueriesContext(connection) as captured:
            run_execute(run_id=run.pk)
        assert Finding.objects.count() == subjects
        return len(captured)

    monkeypatch.setattr(services, "BATCH", 1000)
    few = queries_for(5)
    # 70 findings still fit one INSERT even on SQLite (999 parameters per statement)
    assert queries_for(70) == few
