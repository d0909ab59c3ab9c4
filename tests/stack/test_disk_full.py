"""A full disk (a small tmpfs for the store and media) during a run or an upload: a clear
error, nothing partial left behind, the previous findings kept."""

import errno
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client

from tests.anomalies.factories import MONTH, old_subjects
from tests.conftest import login_as
from tests.stack.servers import small_tmpfs
from zizhu.anomalies.models import Finding, RunStatus
from zizhu.anomalies.services import run_create
from zizhu.jobs.services import job_run
from zizhu.ops.storage import MediaStorage


def _fill(folder: Path) -> None:
    """Leave no free space on the file system of `folder`."""
    with open(folder / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    assert (folder / "filler").stat().st_size > 0


def test_a_run_on_a_full_disk_fails_clearly_and_keeps_the_findings(tree, settings):
    old_subjects(("3661000001", 1, "tuition_waiver"), ("3661000002", 2, "national_grant"))
    with small_tmpfs("1m") as disk:
        settings.ZIZHU_STORE = str(disk / "store")
        first = run_create(month=MONTH, enqueue=False)
        job_run(first.job_id)
        before = set(Finding.objects.values_list("rule", "school__code", "pid"))
        assert len(before) == 2
        _fill(disk)
        run = run_create(month=MONTH, enqueue=False)
        job_run(run.job_id)
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED
        assert run.error.startswith("分析库所在磁盘已满")
        assert set(Finding.objects.values_list("rule", "school__code", "pid")) == before
        assert not (disk / "store" / "runs" / f"run={run.pk}").exists()


def test_an_upload_on_a_full_disk_leaves_no_partial_file_and_a_clear_page(users, settings):
    with small_tmpfs("1m") as disk:
        settings.MEDIA_ROOT = disk / "media"
        (disk / "media").mkdir()
        assert isinstance(storages["default"], MediaStorage)  # what uploads are saved with
        _fill(disk)
        with pytest.raises(OSError) as raised:
            MediaStorage(location=disk / "media").save(
                "vouchers/scan.pdf", ContentFile(b"%PDF" * 100_000)
            )
        assert raised.value.errno == errno.ENOSPC
        assert list((disk / "media").rglob("*.pdf")) == []
    # the page a user gets when a save hits a full disk
    from tests.ops import broken_urls

    settings.ROOT_URLCONF = "tests.ops.broken_urls"
    broken_urls.ERROR[:] = [raised.value]
    client = Client(raise_request_exception=False)
    login_as(client, users["school_operator"])
    response = client.get("/broken/")
    assert response.status_code == 503
    assert "磁盘空间已用完" in response.content.decode()
