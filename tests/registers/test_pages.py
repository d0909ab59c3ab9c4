"""The system administrator's pages: upload → job with progress → snapshot list and report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import USERS
from tests.registers.conftest import MONTH, good_rows, write_file
from zizhu.jobs.models import Job
from zizhu.jobs.models import Status as JobStatus
from zizhu.registers.models import Snapshot, Status

NOT_SYSADMIN = sorted(set(USERS) - {"sysadmin"})


def upload(client, path, kind="enrolment_senior_high", month=MONTH):
    with path.open("rb") as handle:
        data = SimpleUploadedFile(path.name, handle.read())
    return client.post("/registers/upload/", {"kind": kind, "month": month, "file": data})


def test_an_upload_runs_as_a_job_and_becomes_the_current_snapshot(
    users, login, store, files, django_capture_on_commit_callbacks
):
    client = login(users["sysadmin"])
    path = write_file(files, "enrolment", good_rows("enrolment", 5), "xlsx", chinese=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, path)
    snapshot = Snapshot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registers/{snapshot.pk}/"
    assert (snapshot.status, snapshot.rows, snapshot.source_name) == (
        Status.DONE,
        5,
        "register.xlsx",
    )
    assert snapshot.created_by == users["sysadmin"]
    job = Job.objects.get()
    assert (job.kind, job.status, job.percent, job.result["ok"]) == (
        "register_import",
        JobStatus.DONE,
        100,
        True,
    )
    assert snapshot.job == job
    # the uploaded file is gone once the job has run
    assert not any((store.parent / "media").rglob("*.xlsx"))
    page = client.get(f"/registers/{snapshot.pk}/")
    assert "snapshot-status" in page.content.decode()
    listing = client.get("/registers/").content.decode()
    assert "register.xlsx" in listing and "sysadmin" in listing


def test_a_rejected_upload_shows_its_problems_and_offers_the_report(
    users, login, store, files, django_capture_on_commit_callbacks
):
    client = login(users["sysadmin"])
    rows = good_rows("enrolment", 3)
    rows[1]["id_number"] = "123"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, write_file(files, "enrolment", rows))
    snapshot = Snapshot.objects.get()
    assert (snapshot.status, snapshot.error_count) == (Status.FAILED, 1)
    assert Job.objects.get().result == {"ok": False, "snapshot": snapshot.pk, "error_count": 1}
    page = client.get(f"/registers/{snapshot.pk}/").content.decode()
    assert "<td>身份证件号</td><td>身份证件号应为18位</td>" in page  # the column in Chinese
    assert "id_number" not in page
    report = client.get(f"/registers/{snapshot.pk}/problems.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert "3,身份证件号,身份证件号应为18位" in report.content.decode("utf-8-sig")
    assert not store.exists() or not any(store.rglob("*.parquet"))


def test_the_error_report_neutralises_formulas(users, login, db):
    snapshot = Snapshot.objects.create(
        kind="recipients_higher",
        month=MONTH,
        status=Status.FAILED,
        error_count=1,
        problems=[[0, "", '=HYPERLINK("http://x")']],
    )
    report = login(users["sysadmin"]).get(f"/registers/{snapshot.pk}/problems.csv")
    assert "'=HYPERLINK" in report.content.decode("utf-8-sig")


def test_the_upload_form_refuses_other_files_and_bad_months(users, login, store, files):
    client = login(users["sysadmin"])
    text = files / "register.txt"
    text.write_text("school_code,id_number,name\n", "utf-8")
    response = upload(client, text)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    response = upload(client, write_file(files, "enrolment", []), month="2024-13")
    assert response.context["form"].errors["month"]
    assert not Snapshot.objects.exists()


def test_the_list_filters_by_kind_month_and_status(users, login, db):
    for kind, month, status in [
        ("recipients_higher", "2024-09", Status.DONE),
        ("recipients_higher", "2024-10", Status.FAILED),
        ("graduates_senior_high", "2024-10", Status.DONE),
    ]:
        Snapshot.objects.create(kind=kind, month=month, status=status)
    client = login(users["sysadmin"])
    page = client.get("/registers/", {"kind": "recipients_higher", "month": "2024-10"})
    assert [s.status for s in page.context["page"]] == [Status.FAILED]
    page = client.get("/registers/", {"status": "done", "kind": "bogus"})
    assert len(page.context["page"]) == 2
    assert page.context["latest"]["recipients_higher"].month == "2024-09"


@pytest.mark.parametrize("username", NOT_SYSADMIN)
def test_no_other_role_may_upload(users, login, store, files, username):
    client = login(users[username])
    response = upload(client, write_file(files, "enrolment", good_rows("enrolment")))
    assert response.status_code == 403
    assert not Snapshot.objects.exists()


def test_the_menu_shows_registers_to_the_system_administrator(users, login, db):
    page = login(users["sysadmin"]).get("/registers/").content.decode()
    assert 'href="/registers/"' in page
    other = login(users["province_operator"]).get("/").content.decode()
    assert 'href="/registers/"' not in other
