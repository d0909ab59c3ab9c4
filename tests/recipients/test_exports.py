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


def test_the_job_page_counts_the_warnings_by_kind_and_offers_them_all(
    client, users, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ZIZHU_STORE = str(tmp_path)
    _enrolment_snapshot(tmp_path, "3661000001", [person_key(make_id(1))])
    login_as(client, users["school_operator"])
    lines = [f"{make_id(n)},学生{n},100" for n in range(1, 61)]
    with django_capture_on_commit_callbacks(execute=True):
        upload_list(client, "\n".join(["身份证件号,姓名,资助金额", *lines]).encode())
    job = Job.objects.get(kind="recipients_import")
    assert job.result["ok"] is True and job.result["warning_count"] == 59
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    missing = "未在本校学籍登记册（2020-09）中找到"
    # one line a kind of warning with its count, then the first 50 rows and where the rest are
    kinds = page.split('data-testid="job-warning-kinds"')[1].split("</table>")[0]
    assert kinds.count("<tr>") == 2 and missing in kinds and '<td class="num">59</td>' in kinds
    rows = page.split('data-testid="job-warnings"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 51  # the header and 50 rows
    assert "显示前 50 条，共 59 条提示" in page
    link = f"/recipients/import/{job.pk}/warnings.csv"
    assert link in page and "下载提示清单 (CSV)" in page
    response = client.get(link)
    assert "%E5%AF%BC%E5%85%A5%E6%8F%90%E7%A4%BA" in response["Content-Disposition"]  # 导入提示
    report = response.content.decode("utf-8-sig").splitlines()
    assert report[0] == "行号,列,提示" and len(report) == 60
    assert report[1].startswith("3,身份证件号,") and missing in report[1]


def test_an_uploads_audit_record_names_the_school_and_not_the_servers_file(
    client, users, django_capture_on_commit_callbacks
):
    login_as(client, users["school_operator"])
    body = f"身份证件号,姓名,资助金额\n{make_id(1)},甲,100\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload_list(client, body, name="三班名单.csv")
    event = AuditEvent.objects.get(action="job.create")
    assert event.detail["school"] == "3661000001" and event.detail["file_name"] == "三班名单.csv"
    assert "path" not in event.detail  # the upload's random name on the server's disk
    assert RecipientList.objects.get().rows.count() == 1  # the job found its school by code


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
