"""The monthly check run as a background job."""

from django.utils.translation import gettext_lazy as _

from zizhu.anomalies.services import JOB_KIND, run_abandoned, run_execute
from zizhu.jobs.registry import job_kind


@job_kind(
    JOB_KIND,
    on_abandon=lambda job, reason: run_abandoned(job.params["run"], reason),
    title=_("Monthly check run"),
    page="anomalies:runs",
)
def anomaly_run(job, progress):
    run = run_execute(run_id=job.params["run"], progress=progress)
    return {"run": run.pk, "month": run.month, "findings": run.total, "lists": run.lists.count()}
