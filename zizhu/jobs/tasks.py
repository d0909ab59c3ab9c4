from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zizhu.jobs.services import job_run


@db_task()
def run_job_task(job_id: int) -> None:
    job_run(job_id)


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_audit_daily() -> None:
    from zizhu.audit.services import audit_purge

    audit_purge()
