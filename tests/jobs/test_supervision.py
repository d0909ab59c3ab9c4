"""The embedded worker is supervised (`serve`), and jobs whose worker died are failed."""

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from tests.stack.servers import ROOT, database_url, manage, wait_for
from zizhu.jobs.models import Job, Status
from zizhu.jobs.registry import job_kind
from zizhu.jobs.services import job_claim, job_create, jobs_recover, worker_id
from zizhu.jobs.supervisor import Supervisor, supervise

ABANDONED: list[tuple[int, str]] = []


@job_kind("test_abandonable", on_abandon=lambda job, reason: ABANDONED.append((job.pk, reason)))
def _abandonable(job, progress):
    return {}


def _exits(code: int) -> list[str]:
    return [sys.executable, "-c", f"import sys; sys.exit({code})"]


def test_a_dying_worker_is_restarted_with_backoff_then_given_up(caplog):
    exits = []
    worker = Supervisor(
        _exits(3),
        on_exit=lambda pid, code: exits.append(code),
        backoff=(0.05, 0.1),
        max_failures=2,
    )
    worker.start()
    with caplog.at_level(logging.INFO, logger="zizhu.jobs.supervisor"):
        assert wait_for(lambda: not worker.check(), 30, every=0.02, what="giving up")
    assert exits == [3, 3, 3] and worker.restarts == 2 and worker.gave_up
    messages = [r.getMessage() for r in caplog.records]
    assert sum("restarting in 0.05 s" in m for m in messages) == 1
    assert sum("restarting in 0.1 s" in m for m in messages) == 1
    assert any("giving up" in m for m in messages)


def test_serve_exits_non_zero_when_the_worker_cannot_be_kept_or_the_server_stops():
    server = subprocess.Popen(["sleep", "60"])
    worker = Supervisor(_exits(1), backoff=(0.01,), max_failures=1)
    worker.start()
    try:
        assert supervise(server, worker, poll=0.02) == 1
    finally:
        server.kill()
        server.wait()
    worker = Supervisor(["sleep", "60"])
    worker.start()
    try:
        assert supervise(subprocess.Popen(_exits(2)), worker, poll=0.02) == 2
    finally:
        worker.stop()


def test_jobs_without_a_heartbeat_are_failed_with_the_reason(db):
    ABANDONED.clear()
    stale, alive = (job_create(kind="test_abandonable", params={}, enqueue=False) for _ in "ab")
    job_claim(stale.pk)
    job_claim(alive.pk)
    Job.objects.filter(pk=stale.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    failed = jobs_recover(stale_after=60)
    assert [job.pk for job in failed] == [stale.pk]
    stale.refresh_from_db()
    assert stale.status == Status.FAILED and stale.finished_at is not None
    assert f"（{worker_id()}）已停止" in stale.message  # the reason, in Chinese
    assert [(stale.pk, stale.message)] == ABANDONED
    assert Job.objects.get(pk=alive.pk).status == Status.RUNNING
    assert jobs_recover(worker=worker_id()) and Job.objects.get(pk=alive.pk).status == "failed"


def test_a_dead_workers_job_is_failed_in_its_submitters_language(db):
    with translation.override("en"):
        job = job_create(kind="test_abandonable", params={}, enqueue=False)
    job_claim(job.pk)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    assert [failed.pk for failed in jobs_recover(stale_after=60)] == [job.pk]
    job.refresh_from_db()
    assert job.message.startswith(f"The worker running this job ({worker_id()}) stopped")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_serve_restarts_a_killed_worker_and_fails_its_job_at_once(tmp_path):
    """kill -9 of the embedded worker (SQLite queue) while it runs a job: the supervisor fails
    the job with the reason, restarts the worker, and the next job runs."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection),
        "ZIZHU_JOB_QUEUE": "sqlite",
        "ZIZHU_DATA_DIR": str(tmp_path),
        "ZIZHU_JOB_HEARTBEAT_SECONDS": "1",
    }
    from zizhu.demo.management.commands.serve import _fail_jobs_of

    worker = Supervisor(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        env=env,
        cwd=str(ROOT),
        on_exit=_fail_jobs_of,
        backoff=(0.5,),
    )
    worker.start()
    try:
        params = '{"steps": 100, "pause": 0.2}'
        job_id = int(manage("jobs", "--enqueue", "selfcheck", "--params", params, env=env).stdout)
        wait_for(lambda: Job.objects.get(pk=job_id).done >= 2, 60, what="the job running")
        first = worker.process.pid
        assert Job.objects.get(pk=job_id).worker == worker_id(first)
        os.kill(first, signal.SIGKILL)
        killed_at = time.monotonic()
        wait_for(lambda: worker.check() and worker.restarts == 1, 30, what="a restart")
        job = Job.objects.get(pk=job_id)
        assert job.status == Status.FAILED and str(first) in job.message
        assert time.monotonic() - killed_at < 10
        assert worker.process.pid != first
        again = int(
            manage("jobs", "--enqueue", "selfcheck", "--params", '{"steps": 2}', env=env).stdout
        )
        wait_for(lambda: Job.objects.get(pk=again).status == Status.DONE, 60, what="the next job")
    finally:
        worker.stop()


def test_the_worker_prints_each_log_line_once(tmp_path):
    env = {**os.environ, "ZIZHU_JOB_QUEUE": "sqlite", "ZIZHU_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    try:
        for line in worker.stderr:
            lines.append(line)
            if "The following commands are available" in line:
                break
        time.sleep(1)  # its signal handlers are in place once it has started
    finally:
        worker.send_signal(signal.SIGINT)
        lines += worker.communicate(timeout=30)[1].splitlines(keepends=True)
    started = [line for line in lines if "Huey consumer started" in line]
    assert len(started) == 1, lines
    assert sum("Consumer exiting" in line for line in lines) == 1, lines
