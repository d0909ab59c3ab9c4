"""An uploaded list file (plain personal data) does not outlive its import: not when the
queue refuses the job, not when the worker running it dies."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.recipients.factories import rows
from zizhu.catalogue.models import AidProject
from zizhu.jobs import services as jobs
from zizhu.jobs.models import Job, Status
from zizhu.ops.errors import QueueUnavailable
from zizhu.recipients.services import recipient_list_upload


def _uploads() -> set[Path]:
    return set((Path(settings.MEDIA_ROOT) / "uploads").glob("*.csv"))


def _upload(users) -> Job:
    body = "身份证件号,姓名,资助金额\n" + "".join(
        f"{r['id_number']},{r['name']},{r['amount']}\n" for _n, r in rows(1, 2)
    )
    return recipient_list_upload(
        school=users["school_operator"].unit,
        project=AidProject.objects.get(code="vocational_national_grant"),
        year=2025,
        term="autumn",
        batch=1,
        upload=SimpleUploadedFile("list.csv", body.encode()),
        actor=users["school_operator"],
    )


def test_a_refused_job_leaves_no_uploaded_file(users, monkeypatch):
    before = _uploads()

    def down() -> None:
        raise QueueUnavailable("the queue is down")

    monkeypatch.setattr(jobs, "queue_check", down)
    with pytest.raises(QueueUnavailable):
        _upload(users)
    assert _uploads() == before and not Job.objects.filter(kind="recipients_import").exists()


def test_a_job_whose_worker_died_leaves_no_uploaded_file(users):
    before = _uploads()
    job = _upload(users)
    path = Path(job.params["path"])
    assert _uploads() == before | {path}
    jobs.job_claim(job.pk)  # a worker takes it (its enqueue waits for a commit), then dies
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert [j.pk for j in jobs.jobs_recover(stale_after=60)] == [job.pk]
    assert Job.objects.get(pk=job.pk).status == Status.FAILED and not path.exists()
