"""Creating, claiming and running jobs."""

import logging
import traceback

from django.db import transaction
from django.utils import timezone

from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.jobs.models import Job, Status
from zizhu.jobs.registry import JOB_KINDS

log = logging.getLogger(__name__)


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
            fields = {"done": self.job.done}
            if message:
                fields["message"] = message[:500]
            Job.objects.filter(pk=self.job.pk).update(**fields)


def job_create(*, kind: str, params: dict, actor=None, request=None, enqueue=True) -> Job:
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(
        kind=kind, params=params, created_by=actor, unit=getattr(actor, "unit", None)
    )
    audit_record(actor=actor, request=request, action="job.create", obj=job, detail=params)
    if enqueue:
        from zizhu.jobs.tasks import run_job_task

        transaction.on_commit(lambda: run_job_task(job.pk))
    return job


def job_claim(job_id: int) -> Job | None:
    """Move pending → running with a conditional UPDATE; None if another worker has it."""
    claimed = Job.objects.filter(pk=job_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    return Job.objects.get(pk=job_id) if claimed else None


def job_run(job_id: int) -> Job | None:
    job = job_claim(job_id)
    if job is None:
        return None
    try:
        result = JOB_KINDS[job.kind](job, Progress(job, every=max(job.total // 100, 1)))
    except Exception as exc:
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job.pk).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=f"{type(exc).__name__}: {exc}"[:500],
            result={"traceback": traceback.format_exc(limit=5)},
        )
        audit_record(actor=job.created_by, action="job.run", obj=job, result=Result.FAILURE)
    else:
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
