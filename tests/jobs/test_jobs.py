import errno
import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors

from tests.conftest import login_as
from zizhu.accounts.models import User
from zizhu.jobs.models import Job, Status
from zizhu.jobs.registry import job_kind
from zizhu.jobs.services import job_create, job_run

ROOT = Path(__file__).resolve().parents[2]


@job_kind("test_failing")
def _failing(job, progress):
    progress.total(10)
    progress.advance(4)
    raise RuntimeError("disk full")


@job_kind("test_deadlocked")
def _deadlocked(job, progress):
    raise errors.DeadlockDetected("deadlock detected")


@job_kind("test_disk_full")
def _disk_full(job, progress):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_job_stopped_by_a_full_disk_says_so(db):
    job = job_run(job_create(kind="test_disk_full", params={}, enqueue=False).pk)
    assert job.status == Status.FAILED
    assert (
        job.message
        == "任务已中止：服务器磁盘已满，没有保存任何数据。请告知系统管理员，待腾出空间后重新提交。"
    )


def test_it_runs_a_job_and_records_progress(users):
    job = job_create(
        kind="selfcheck", params={"steps": 4}, actor=users["county_operator"], enqueue=False
    )
    job = job_run(job.pk)
    assert (job.status, job.done, job.total, job.percent) == (Status.DONE, 4, 4, 100)
    assert job.result == {"steps": 4}
    assert job.unit.code == "610112"


def test_it_runs_a_job_only_once(users):
    job = job_create(kind="selfcheck", params={"steps": 1}, enqueue=False)
    assert job_run(job.pk) is not None
    assert job_run(job.pk) is None  # already claimed: the conditional UPDATE finds no pending row


def test_it_records_a_failure_with_its_message(db):
    job = job_run(job_create(kind="test_failing", params={}, enqueue=False).pk)
    assert job.status == Status.FAILED
    # the page says it in Chinese; the error itself is kept in the result
    assert job.message == (
        "任务因错误中止，错误已记录，供系统管理员查看。请重新提交；如再次中止，请联系系统管理员。"
    )
    assert job.result["error"] == "RuntimeError: disk full"
    assert "disk full" in job.result["traceback"]
    assert job.done == 4


def test_a_job_stopped_by_a_deadlock_says_the_system_was_busy(db):
    job = job_run(job_create(kind="test_deadlocked", params={}, enqueue=False).pk)
    assert job.status == Status.FAILED
    assert job.message == "系统繁忙：同一时刻有其他任务正在处理，本任务已中止。请重新提交。"
    assert job.result["error"] == "DeadlockDetected: deadlock detected"


def test_it_enqueues_after_commit_and_runs_inline(django_capture_on_commit_callbacks, db):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_create(kind="selfcheck", params={"steps": 2})
    job.refresh_from_db()
    assert job.status == Status.DONE


def test_it_shows_status_on_the_command_line(db):
    job = job_run(job_create(kind="selfcheck", params={"steps": 2}, enqueue=False).pk)
    out = io.StringIO()
    call_command("jobs", str(job.pk), stdout=out)
    assert f"#{job.pk}\tselfcheck\tdone\t2/2\t100%" in out.getvalue()


def test_it_shows_progress_in_the_ui_to_the_submitter_only(client, users):
    job = job_create(
        kind="selfcheck", params={"steps": 3}, actor=users["county_operator"], enqueue=False
    )
    login_as(client, users["county_operator"])
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' in page.content.decode()  # polls while pending
    login_as(client, users["neighbour_operator"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404


def test_a_user_follows_the_jobs_of_their_scope_and_their_own(users, tree):
    """Each depth of the tree finds its jobs in its own form (a school through the job's unit,
    the centre every unit's, a province through the path, prefectures and counties through
    their units' ids): each sees its subtree's jobs and its own, and no other unit's."""
    from zizhu.jobs.selectors import jobs_for

    users["centre_operator"] = User.objects.create_user(
        username="centre_operator", role="operator", unit=tree["000000"]
    )
    users["college_operator"] = User.objects.create_user(
        username="college_operator", role="school_operator", unit=tree["4161000001"]
    )
    made = {
        name: job_create(kind="selfcheck", params={"steps": 1}, actor=users[name], enqueue=False)
        for name in (
            "school_operator",
            "school_reviewer",
            "neighbour_school_operator",
            "college_operator",
            "county_operator",
            "prefecture_operator",
            "province_operator",
            "centre_operator",
            "sysadmin",
        )
    }
    # a job whose unit is outside the submitter's scope: followed by its submitter and by the
    # units above the job's unit, as any other job there
    moved = job_create(
        kind="selfcheck", params={"steps": 1}, actor=users["county_operator"], enqueue=False
    )
    Job.objects.filter(pk=moved.pk).update(unit=tree["610111"])
    school, reviewer = made["school_operator"], made["school_reviewer"]
    neighbour_school = made["neighbour_school_operator"]
    county = {school, reviewer, made["county_operator"], moved}
    prefecture = {*county, neighbour_school, made["prefecture_operator"]}
    # the administrator sees only its own jobs; the province sees those done at its unit
    province = {*prefecture, made["college_operator"], made["province_operator"], made["sysadmin"]}
    for name, expected in (
        ("school_operator", {school, reviewer}),
        ("school_reviewer", {school, reviewer}),
        ("neighbour_school_operator", {neighbour_school}),
        ("college_operator", {made["college_operator"]}),
        ("county_operator", county),
        ("neighbour_operator", {neighbour_school, moved}),
        ("prefecture_operator", prefecture),
        ("province_operator", province),
        ("centre_operator", {*province, made["centre_operator"]}),
        ("sysadmin", {made["sysadmin"]}),
    ):
        assert set(jobs_for(users[name])) == expected, name
        # the newest first, as the list shows them
        listed = list(jobs_for(users[name]).values_list("pk", flat=True))
        assert listed == sorted(listed, reverse=True), name


def _redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_it_runs_a_job_through_redis_on_a_separate_worker_process():
    """Production mode: one process enqueues on Redis, a `run_huey` worker process runs it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database")
    import redis

    try:
        redis.Redis.from_url(_redis_url()).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"needs Redis at {_redis_url()}")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ZIZHU_JOB_QUEUE": _redis_url(),
        "ZIZHU_JOB_QUEUE_NAME": f"zizhu-test-{uuid.uuid4().hex[:8]}",
    }
    enqueue = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "jobs",
            "--enqueue",
            "selfcheck",
            "--params",
            '{"steps": 3, "pause": 0.2}',
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    job_id = int(enqueue.stdout.strip())
    assert Job.objects.get(pk=job_id).status == Status.PENDING  # nobody has run it yet
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job_id)
            if job.is_finished:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert (job.status, job.done, job.total) == (Status.DONE, 3, 3)
