import io

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

from tests.conftest import login_as
from tests.recipients.factories import make_id, make_list, rows, upload_list
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.jobs.models import Job
from zizhu.jobs.models import Status as JobStatus
from zizhu.recipients.models import RecipientList
from zizhu.recipients.services import recipient_list_import
from zizhu.store.keys import person_key


def _export(client, target):
    response = client.get(f"/recipients/{target.pk}/export.xlsx")
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_it_exports_full_ids_to_the_school_and_audits_it(client, users):
    target = make_list(users["school_operator"].unit, 1, 2)
    login_as(client, users["school_operator"])
    exported = _export(client, target)
    assert [r[0] for r in exported] == [make_id(1), make_id(2)]
    event = AuditEvent.objects.get(action="recipients.export")
    assert event.detail["unmasked"] is True


def test_it_exports_masked_ids_and_phones_to_authorities(client, users):
    target = make_list(users["school_operator"].unit, 1)
    login_as(client, users["county_operator"])
    (row,) = _export(client, target)
    assert row[0] == make_id(1)[:6] + "********" + make_id(1)[14:]
    assert row[5] == "138****0001"
    assert AuditEvent.objects.get(action="recipients.export").detail["unmasked"] is False


def test_it_neutralises_formula_injection_in_exports(client, users):
    table_rows = rows(1)
    table_rows[0][1]["name"] = '=HYPERLINK("http://x")'
    recipient_list_import(
        school=users["school_operator"].unit,
        rows=table_rows,
        year=2025,
        term="autumn",
        project=AidProject.objects.get(code="vocational_national_grant"),
    )
    login_as(client, users["school_operator"])
    (row,) = _export(client, RecipientList.objects.get())
    assert row[1].startswith("'=")


def _enrolment_snapshot(store, school_code, pids, month="2020-09"):
    folder = store / "registers" / "enrolment_vocational" / f"month={month}"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"school_code": [school_code] * len(pids), "pid": pa.array(pids, pa.int64())}),
        folder / "part-0.parquet",
    )


def test_it_warns_about_recipients_missing_from_the_enrolment_register(users, settings, tmp_path):
    settings.ZIZHU_STORE = str(tmp_path)
    _enrolment_snapshot(tmp_path, "3661000001", [person_key(make_id(1))])
    result = recipient_list_import(
        school=users["school_operator"].unit,
        rows=rows(1, 2),
        year=2025,
        term="autumn",
        project=AidProject.objects.get(code="vocational_national_grant"),
    )
    assert [(w.row, w.column) for w in result.warnings] == [(3, "id_number")]
    assert result.recipient_list.row_count == 2  # warnings never block


def test_it_imports_an_upload_as_a_job_with_a_downloadable_error_report(
    client, users, django_capture_on_commit_callbacks
):
    login_as(client, users["school_operator"])
    body = f"身份证件号,姓名,资助金额\n{make_id(1)},甲,100\n{make_id(2)},乙,-1\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_list(client, body)
    job = Job.objects.get(kind="recipients_import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.DONE and job.result["ok"] is False
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "资助金额必须大于0" in page
    report = client.get(f"/recipients/import/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert "3,资助金额,资助金额必须大于0" in report
    assert not RecipientList.objects.exists()
