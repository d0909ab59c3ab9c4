"""Creating, claiming, running and recovering jobs.

A running job carries the worker process running it ("host:pid") and a heartbeat that a
thread of that worker refreshes every ZIZHU_JOB_HEARTBEAT_SECONDS. When a worker dies
(kill -9, out of memory, a lost host) its jobs stop beating; `jobs_recover` marks them failed
with the reason, and lets their kind fail what they were carrying out (a check run).
docs/operations.md, "Supervision and recovery".
"""

import logging
import os
import socket
import threading
import time
import traceback
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from zizhu.accounts.models import User
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.jobs.models import Job, Status
from zizhu.jobs.registry import JOB_KINDS, ON_ABANDON
from zizhu.ops import metrics
from zizhu.ops.errors import QueueUnavailable, rolled_back
from zizhu.ops.storage import is_disk_full

log = logging.getLogger(__name__)
LANGUAGE = "language"  # the job's parameter naming the language of its submitter
# parameters the worker needs and the auditor does not: an upload's place on the server's disk
# (a random name; the person's own file name is its `file_name`)
UNAUDITED = {"path"}


def worker_id(pid: int | None = None) -> str:
    """This process as a job's worker: "host:pid"."""
    return f"{socket.gethostname()}:{pid or os.getpid()}"


class Progress:
    """Handed to a job function to report progress; writes at most every `every` items."""

    def __init__(self, job: Job, every: int = 1):
        self.job = job
        self.every = max(every, 1)
        self._last = 0

    def total(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(pk=self.job.pk).update(total=total)

    def advance(self, done: int, message: str = "") -> None:
        self.job.done = min(done, self.job.total) if self.job.total else done
        if done - self._last >= self.every or message or done == self.job.total:
            self._last = done
            fields = {"done": self.job.done, "heartbeat_at": timezone.now()}
            if message:
                fields["message"] = message[:500]
            Job.objects.filter(pk=self.job.pk).update(**fields)


def job_create(
    *,
    kind: str,
    params: dict[str, Any],  # JSON
    actor: User | None = None,
    request: HttpRequest | None = None,
    enqueue: bool = True,
) -> Job:
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if enqueue:
        queue_check()
    # the job writes its messages and problems in its submitter's language (see job_run)
    params = {**params, LANGUAGE: translation.get_language() or settings.LANGUAGE_CODE}
    job = Job.objects.create(
        kind=kind, params=params, created_by=actor, unit=getattr(actor, "unit", None)
    )
    audited = {name: value for name, value in params.items() if name not in UNAUDITED}
    audit_record(actor=actor, request=request, action="job.create", obj=job, detail=audited)
    if enqueue:
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _queue_unavailable(exc: Exception) -> QueueUnavailable:
    log.error("job queue unavailable: %s", exc)
    return QueueUnavailable(_("The job queue is unavailable: the job was not started."))


def queue_check() -> None:
    """Raise QueueUnavailable unless the job queue answers (Redis: a PING; others: local)."""
    from huey.contrib.djhuey import HUEY

    conn = getattr(HUEY.storage, "conn", None)
    if conn is None or not hasattr(conn, "ping"):
        return
    try:
        conn.ping()
    except RedisError as exc:
        raise _queue_unavailable(exc) from exc


def _enqueue(job_id: int) -> None:
    """Put the committed job on the queue; if the queue went away since queue_check, the job
    is failed with the reason (so it is never left pending with no message to run it)."""
    from zizhu.jobs.tasks import run_job_task

    try:
        run_job_task(job_id)
    except RedisError as exc:
        reason = _("The job queue was unavailable: the job was not started. Start it again.")
        failed = Job.objects.filter(pk=job_id, status=Status.PENDING)
        job = failed.first()
        if job is not None and failed.update(
            status=Status.FAILED, finished_at=timezone.now(), message=reason
        ):
            hook = ON_ABANDON.get(job.kind)
            if hook is not None:
                hook(job, reason)
        raise _queue_unavailable(exc) from exc


def job_claim(job_id: int) -> Job | None:
    """Move pending → running with a conditional UPDATE; None if another worker has it."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_id()
    )
    return Job.objects.get(pk=job_id) if claimed else None


class _Heartbeat(threading.Thread):
    """Refreshes a running job's heartbeat from a thread of its own (own DB connection)."""

    def __init__(self, job_id: int, every: float):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.every = job_id, every
        self.finished = threading.Event()

    def run(self) -> None:
        try:
            while not self.finished.wait(self.every):
                try:
                    Job.objects.filter(pk=self.job_id, status=Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError as exc:  # the database is away: try again next beat
                    log.warning("job %s heartbeat failed: %s", self.job_id, exc)
        finally:
            connections.close_all()  # this thread's own connections

    def stop(self) -> None:
        self.finished.set()
        self.join(timeout=self.every + 5)


def _heartbeat(job_id: int) -> _Heartbeat | None:
    every = settings.ZIZHU_JOB_HEARTBEAT_SECONDS
    if every <= 0 or settings.HUEY.get("immediate"):  # inline (tests): nobody else can die
        return None
    beat = _Heartbeat(job_id, every)
    beat.start()
    return beat


def job_run(job_id: int) -> Job | None:
    job = job_claim(job_id)
    if job is None:
        return None
    # a worker has no request: the job speaks the language it was submitted in, and what it
    # writes (progress, problems, links) is stored text, shown as written
    with translation.override(job.params.get(LANGUAGE) or settings.LANGUAGE_CODE):
        return _job_run(job)


def _job_run(job: Job) -> Job:
    job_id = job.pk
    beat = _heartbeat(job.pk)
    started = time.monotonic()
    try:
        result = JOB_KINDS[job.kind](job, Progress(job, every=max(job.total // 100, 1)))
    except Exception as exc:
        if beat:
            beat.stop()
        metrics.job_finished(job.kind, "failed", time.monotonic() - started)
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job.pk).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=_failure_message(exc),
            result={
                "error": f"{type(exc).__name__}: {exc}"[:500],
                "traceback": traceback.format_exc(limit=5),
            },
        )
        audit_record(actor=job.created_by, action="job.run", obj=job, result=Result.FAILURE)
    else:
        if beat:
            beat.stop()
        metrics.job_finished(job.kind, "done", time.monotonic() - started)
        job.refresh_from_db(fields=["total", "done"])
        Job.objects.filter(pk=job.pk).update(
            status=Status.DONE,
            finished_at=timezone.now(),
            done=job.total or job.done,
            result=result or {},
        )
        audit_record(actor=job.created_by, action="job.run", obj=job)
    job.refresh_from_db()
    return job


def _failure_message(exc: Exception) -> str:
    """What the job's page says about the error that stopped it, in the user's words; the
    error itself (English, perhaps quoting data) is in the log and in the result."""
    if rolled_back(exc):
        return _(
            "The system was busy with other work at the same moment, so this job was stopped. "
            "Start it again."
        )
    if is_disk_full(exc):
        return _(
            "The job stopped: the server's disk is full. Nothing of it was kept; tell the system "
            "administrator, and start it again once space is freed."
        )
    return _(
        "The job stopped on an error, which was recorded for the system administrator. Start "
        "it again; if it stops again, tell the system administrator."
    )


def jobs_recover(*, worker: str | None = None, stale_after: float | None = None) -> list[Job]:
    """Mark failed the running jobs whose worker died: those of `worker` (a supervisor that saw
    its child die), else those without a heartbeat for `stale_after` seconds (default
    ZIZHU_JOB_STALE_SECONDS). Each is failed with the reason, audited, and handed to its
    kind's on_abandon hook. Returns the jobs failed here."""
    now = timezone.now()
    running = Job.objects.filter(status=Status.RUNNING)
    if worker is not None:
        candidates = running.filter(worker=worker)
    else:
        seconds = settings.ZIZHU_JOB_STALE_SECONDS if stale_after is None else stale_after
        cutoff = now - timedelta(seconds=seconds)
        candidates = running.filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
    failed = []
    for job in candidates.select_related("created_by"):
        last = timezone.localtime(job.heartbeat_at or job.started_at or now)
        with translation.override(job.params.get(LANGUAGE) or settings.LANGUAGE_CODE):
            reason = _(
                "The worker running this job (%(worker)s) stopped; last sign of life at "
                "%(time)s. Nothing it was writing was kept: start it again."
            ) % {"worker": job.worker or "?", "time": f"{last:%Y-%m-%d %H:%M:%S}"}
        # conditional on the heartbeat read: a job that beat meanwhile is alive after all
        changed = Job.objects.filter(
            pk=job.pk, status=Status.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(status=Status.FAILED, finished_at=now, message=reason[:500])
        if not changed:
            continue
        log.error("job %s (%s) abandoned by worker %s: marked failed", job.pk, job.kind, job.worker)
        metrics.job_finished(job.kind, "abandoned", None)
        hook = ON_ABANDON.get(job.kind)
        if hook is not None:
            hook(job, reason)
        audit_record(
            actor=job.created_by,
            action="job.recover",
            obj=job,
            result=Result.FAILURE,
            detail={"worker": job.worker, "reason": reason},
        )
        failed.append(job)
    return failed
