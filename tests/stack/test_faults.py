"""Faults on PostgreSQL: a worker killed mid-run, Redis down, two workers racing.
Each outage uses its own server (tests/stack/servers.py); the shared ones are never touched."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.anomalies.factories import MONTH, old_subjects
from tests.stack.servers import ROOT, database_url, manage, redis_server, wait_for
from zizhu.anomalies.models import Finding, Run, RunStatus
from zizhu.anomalies.services import RunConflict, run_create, run_execute
from zizhu.audit.models import AuditEvent
from zizhu.jobs.models import Job, Status
from zizhu.jobs.services import job_create, job_run, jobs_recover

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SCHOOL_A, SCHOOL_B, SCHOOL_C = "3661000001", "3661000002", "3661000003"


@pytest.fixture
def month(users):
    """The fixture tree and users (a transactional test starts from a flushed database), the
    catalogue, and approved lists with four findings in MONTH."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: worker processes must share the test database")
    old_subjects(
        (SCHOOL_A, 1, "tuition_waiver"),
        (SCHOOL_A, 2, "national_grant"),
        (SCHOOL_B, 3, "national_grant"),
        (SCHOOL_C, 4, "national_grant"),
    )


@pytest.fixture(autouse=True)
def _catalogue(transactional_db):
    from zizhu.catalogue.models import AidProject
    from zizhu.catalogue.seed import seed_catalogue

    seed_catalogue(AidProject)


def _findings() -> set[tuple]:
    return set(
        Finding.objects.values_list("rule", "school__code", "pid", "row_id", "detail", "status")
    )


def _env(tmp_path, settings, **extra) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(connection),
        "ZIZHU_DATA_DIR": str(tmp_path / "data"),
        # the same keys as this process: the worker opens the sealed list rows it exports
        "ZIZHU_HASH_KEY": settings.ZIZHU_HASH_KEY,
        "ZIZHU_DATA_KEYS": settings.ZIZHU_DATA_KEYS,
        "ZIZHU_STORE": settings.ZIZHU_STORE,
        "ZIZHU_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


def test_a_worker_killed_mid_run_leaves_the_previous_findings_and_the_run_failed(
    month, tmp_path, settings
):
    first = run_create(month=MONTH, enqueue=False)
    job_run(first.job_id)
    before = _findings()
    assert len(before) == 4
    env = _env(tmp_path, settings, ZIZHU_JOB_QUEUE="sqlite", ZIZHU_JOB_HEARTBEAT_SECONDS="1")
    run = run_create(month=MONTH, enqueue=False)
    enqueue = f"from zizhu.jobs.tasks import run_job_task; run_job_task({run.job_id})"
    manage("shell", "-c", enqueue, env=env)
    marker = tmp_path / "mid-write"
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.stack.slow_worker", str(marker)], cwd=ROOT, env=env
    )
    try:
        wait_for(marker.exists, 120, what="the run writing its findings")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = time.monotonic()
    # the periodic recovery, as it runs on another worker, with a 3 s staleness for the test
    wait_for(lambda: jobs_recover(stale_after=3), 30, every=0.5, what="the job failed")
    assert time.monotonic() - killed < 30
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "已停止" in run.error
    assert Job.objects.get(pk=run.job_id).status == Status.FAILED
    assert _findings() == before  # the deleting transaction died with the worker
    assert not (Path(settings.ZIZHU_STORE) / "runs" / f"run={run.pk}").exists()
    again = run_create(month=MONTH, enqueue=False)
    job_run(again.job_id)
    again.refresh_from_db()
    assert again.status == RunStatus.DONE and _findings() == before


def test_redis_down_pages_serve_jobs_are_refused_and_nothing_queued_is_lost(
    month, users, tmp_path, settings
):
    with redis_server() as redis:
        # the same Redis as the shared cache: sessions are read through it (and fall back to
        # the session table while it is down)
        cache = redis.url.rsplit("/", 1)[0] + "/1"
        env = _env(tmp_path, settings, ZIZHU_JOB_QUEUE=redis.url, ZIZHU_CACHE_URL=cache)
        params = '{"steps": 2}'
        queued = int(manage("jobs", "--enqueue", "selfcheck", "--params", params, env=env).stdout)
        redis.stop()
        report = json.loads(
            subprocess.run(
                [sys.executable, "-m", "tests.stack.queue_down", "county_operator"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout
        )
        assert report["pages"] == {"/": 200, "/jobs/": 200, "/healthz": 200}
        assert report["readyz"]["queue"] != "ok" and report["readyz"]["database"] == "ok"
        assert report["job_create"] == "后台任务队列无法连接：任务未启动。"
        assert report["jobs_added"] == 0
        assert Job.objects.get(pk=queued).status == Status.PENDING
        redis.start()  # the same folder: its append-only file brings the queue back
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "2", "--no-periodic"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(lambda: Job.objects.get(pk=queued).status == Status.DONE, 60, what="run")
            time.sleep(2)  # a second delivery would show up as a second run here
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    runs = AuditEvent.objects.filter(action="job.run", object_id=str(queued))
    assert runs.count() == 1


def test_two_workers_racing_for_a_job_or_a_months_run_run_it_once(month):
    job = job_create(kind="selfcheck", params={"steps": 1}, enqueue=False)
    run = run_create(month=MONTH, enqueue=False)
    barrier = threading.Barrier(4, timeout=20)
    outcomes: list[str] = []

    def claim_job():
        barrier.wait()
        try:
            outcomes.append("job ran" if job_run(job.pk) else "job refused")
        finally:
            connection.close()

    def claim_run():
        barrier.wait()
        try:
            run_execute(run_id=run.pk)
            outcomes.append("run ran")
        except RunConflict:
            outcomes.append("run refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (claim_job, claim_job, claim_run, claim_run)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["job ran", "job refused", "run ran", "run refused"]
    assert Run.objects.get(pk=run.pk).status == RunStatus.DONE
    assert AuditEvent.objects.filter(action="job.run", object_id=str(job.pk)).count() == 1
