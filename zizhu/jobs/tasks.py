from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from zizhu.jobs.services import job_run, jobs_recover


@db_task()
def run_job_task(job_id: int) -> None:
    job_run(job_id)


@db_periodic_task(crontab(hour="3", minute="17"))
def purge_audit_daily() -> None:
    from zizhu.audit.services import audit_purge

    audit_purge()


@db_periodic_task(crontab(minute="*"))
def recover_jobs_every_minute() -> None:
    """Fail the running jobs whose worker stopped beating (it died): bounded by
    ZIZHU_JOB_STALE_SECONDS + one minute."""
    jobs_recover()


@on_startup()
def recover_jobs_on_start() -> None:
    from django.db import DatabaseError, close_old_connections

    try:
        jobs_recover()
    except DatabaseError:  # the database is not up yet: the periodic task will do it
        pass
    finally:
        close_old_connections()
