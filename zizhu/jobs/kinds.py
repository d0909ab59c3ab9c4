"""Job kinds of the platform itself."""

import time

from django.utils.translation import gettext_lazy as _

from zizhu.jobs.registry import job_kind


@job_kind("selfcheck", title=_("System self-check"))
def selfcheck(job, progress):
    """A short job that proves the queue works end to end: counts to `steps`."""
    steps = int(job.params.get("steps", 5))
    progress.total(steps)
    for step in range(1, steps + 1):
        time.sleep(float(job.params.get("pause", 0)))
        progress.advance(step)
    return {"steps": steps}
