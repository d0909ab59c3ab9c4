"""Run with ZIZHU_JOB_QUEUE pointing at a Redis that is down: pages still serve, and starting a
job is refused with QueueUnavailable and records nothing. Prints a JSON report.

    python -m tests.stack.queue_down USERNAME
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from zizhu.accounts.models import User  # noqa: E402
from zizhu.jobs.models import Job  # noqa: E402
from zizhu.jobs.services import job_create  # noqa: E402
from zizhu.ops.errors import QueueUnavailable  # noqa: E402


def main(username: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=username))
    report = {
        "pages": {path: client.get(path).status_code for path in ("/", "/jobs/", "/healthz")},
        "readyz": client.get("/readyz").json(),
    }
    jobs_before = Job.objects.count()
    try:
        job_create(kind="selfcheck", params={"steps": 1})
        report["job_create"] = "created"
    except QueueUnavailable as exc:
        report["job_create"] = str(exc)
    report["jobs_added"] = Job.objects.count() - jobs_before
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
