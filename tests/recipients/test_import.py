import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.conftest import login_as
from tests.recipients.factories import make_id, make_list, rows, upload_list
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.jobs.models import Job
from zizhu.lib.tabular import TableError
from zizhu.recipients.models import RecipientList, RecipientRow, Status
from zizhu.recipients.services import recipient_list_import
from zizhu.store.keys import person_key


def _import(school, table_rows, **kwargs):
    key = {"year": 2025, "term": "autumn"} | kwargs
    return recipient_list_import(
        school=school,
        project=AidProject.objects.get(code="vocational_national_grant"),
        rows=table_rows,
        **key,
    )


def test_it_stores_a_valid_list_with_derived_fields(tree):
    result = _import(tree["3661000001"], rows(1, 2, 3))
    target = result.recipient_list
    assert (target.status, target.version, target.row_count) == (Status.DRAFT, 1, 3)
    assert target.total_amount == Decimal("3450.00")
    row = target.rows.get(row_number=2)
    assert row.id_number == make_id(1)
    assert (row.sex, str(row.birth_date)) == ("male", "2008-03-15")  # sequence 001 is odd
    assert row.pid == person_key(make_id(1))


def test_it_reports_every_problem_by_row_and_column_and_writes_nothing(tree):
    bad = rows(1, 2, 3, 4, 5)
    bad[0][1]["id_number"] = make_id(1)[:-1] + ("0" if make_id(1)[-1] != "0" else "1")
    bad[1][1]["amount"] = "12.345"
    bad[2][1]["phone"] = "12345"
    bad[3][1]["name"] = ""
    bad[4][1]["id_number"] = make_id(2)  # the same person as row 3
    with pytest.raises(TableError) as caught:
        _import(tree["3661000001"], bad)
    found = {(p.row, p.column): p.message for p in caught.value.problems}
    assert set(found) == {
        (2, "id_number"),
        (3, "amount"),
        (4, "phone"),
        (5, "name"),
        (6, "id_number"),
    }
    assert found[(2, "id_number")] == "身份证件号校验位错误"
    assert "第3行" in found[(6, "id_number")]
    assert not RecipientList.objects.exists()
    assert not RecipientRow.objects.exists()


def test_it_refuses_an_id_already_on_another_batch_of_the_same_project_and_term(tree):
    make_list(tree["3661000001"], 1, 2)
    with pytest.raises(TableError) as caught:
        _import(tree["3661000001"], rows(2, 9), batch=2)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "id_number")]
    _import(tree["3661000001"], rows(2), term="spring")  # another term is fine


def test_it_is_idempotent_for_the_same_content(tree):
    first = _import(tree["3661000001"], rows(1, 2))
    again = _import(tree["3661000001"], list(reversed(rows(1, 2))))
    assert again.unchanged
    assert again.recipient_list.pk == first.recipient_list.pk
    assert RecipientRow.objects.count() == 2


def test_it_replaces_the_rows_of_an_open_draft(tree):
    first = _import(tree["3661000001"], rows(1, 2)).recipient_list
    second = _import(tree["3661000001"], rows(3)).recipient_list
    assert second.pk == first.pk
    assert list(second.rows.values_list("id_number", flat=True)) == [make_id(3)]


def test_it_refuses_a_project_of_another_stage(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        recipient_list_import(
            school=tree["3661000001"],
            rows=rows(1),
            year=2025,
            term="autumn",
            project=AidProject.objects.get(code="higher_national_grant"),
        )


def _write_xlsx(path, data_rows, header=("身份证件号", "姓名", "资助金额", "年级", "联系电话")):
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, header)
    for index, row in enumerate(data_rows, start=1):
        sheet.write_row(index, 0, row)
    workbook.close()


def _command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_recipients", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


ARGS = [
    "--school",
    "3661000001",
    "--project",
    "vocational_national_grant",
    "--year",
    "2025",
    "--term",
    "autumn",
]


def test_it_refuses_one_bad_row_among_100000_then_imports_the_fixed_file_once(tree, tmp_path):
    """The acceptance case of the recipient-list issue, through the public command."""
    data = [
        [
            make_id(n, born=f"2008{1 + n % 12:02d}{1 + n % 28:02d}", area=f"61{n // 1000:04d}"),
            f"学生{n}",
            "1150",
            "一年级",
            f"13{n:09d}",
        ]
        for n in range(100_000)
    ]
    data[73_210][2] = "-5"
    path = tmp_path / "list.xlsx"
    _write_xlsx(path, data)
    with pytest.raises(CommandError, match="1 error"):
        _command(*ARGS, str(path))
    assert not RecipientList.objects.exists() and not RecipientRow.objects.exists()

    data[73_210][2] = "1150"
    _write_xlsx(path, data)
    out, _ = _command(*ARGS, str(path))
    assert "100000 rows" in out
    assert RecipientRow.objects.count() == 100_000
    out, _ = _command(*ARGS, str(path))
    assert out.startswith("unchanged")
    assert RecipientRow.objects.count() == 100_000


def test_it_names_the_bad_row_and_column_on_the_command_line(tree, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(
        "id_number,name,amount\n" + f"{make_id(1)},甲,100\n" + "123,乙,100\n", encoding="utf-8"
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_recipients", *ARGS, str(path), stdout=io.StringIO(), stderr=err)
    assert "row 3\tid_number\t身份证件号应为18位" in err.getvalue()


MISSING = "缺少必填列（表头写中文列名或英文列名均可）"


def test_a_missing_column_reads_the_same_on_the_page_and_the_command_line(
    client, users, tmp_path, django_capture_on_commit_callbacks
):
    """The page names the column in Chinese only; the command keeps its line (the column as it
    always was) with the page's reason."""
    body = f"id_number,name\n{make_id(1)},甲\n".encode()  # English headers, no amount
    login_as(client, users["school_operator"])
    with django_capture_on_commit_callbacks(execute=True):
        upload_list(client, body)
    job = Job.objects.get(kind="recipients_import")
    assert job.result["problems"] == [[1, "资助金额", MISSING]]
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"<td>资助金额</td><td>{MISSING}</td>" in page
    assert "(amount)" not in page and "missing column" not in page
    report = client.get(f"/recipients/import/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert f"1,资助金额,{MISSING}" in report

    path = tmp_path / "list.csv"
    path.write_bytes(body)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_recipients", *ARGS, str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == f"row 1\t资助金额 (amount)\t{MISSING}\n"


def test_it_validates_only_with_dry_run_and_approves_with_approve(tree, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(f"身份证件号,姓名,资助金额\n{make_id(1)},甲,100.5\n", encoding="utf-8-sig")
    out, _ = _command(*ARGS, "--dry-run", str(path))
    assert "valid: 1 rows" in out and not RecipientList.objects.exists()
    _command(*ARGS, "--approve", str(path))
    assert RecipientList.objects.get().status == Status.APPROVED
    assert AuditEvent.objects.filter(action="recipients.import_approved").exists()


def _varied(serials: range) -> list[tuple[int, dict[str, str]]]:
    """Rows whose every column differs from row to row (some phones and cards empty)."""
    return [
        (
            index + 2,
            {
                "id_number": make_id(n, born=f"200{n % 9}0{1 + n % 9}1{n % 7}"),
                "name": f"学生{n}",
                "amount": f"{1000 + n}.5",
                "grade": f"{n}级",
                "major": f"专业{n}",
                "phone": f"139{n:08d}" if n % 3 else "",
                "bank_account": f"6222{n:015d}" if n % 2 else "",
            },
        )
        for index, n in enumerate(serials)
    ]


def uploads_order() -> str:
    """The order an upload's rows are inserted in: as checked, in the file's order, on
    PostgreSQL (sent to a COPY while the file is read); sorted by `pid` on SQLite."""
    from django.db import connection

    return "file" if connection.vendor == "postgresql" else "pid"


def _assert_stored_as_checked(target, table, order="pid"):
    """Each stored row holds its own file row's checked values (not a neighbour's), and the
    list's rows are one run of ids in `order` (the order they are inserted in: `pid` or the
    file's)."""
    from zizhu.recipients.validation import validate_row
    from zizhu.store.keys import phone_key

    expected = {n: validate_row(n, raw, timezone.localdate())[0] for n, raw in table}
    stored = list(target.rows.order_by("id"))
    assert len(stored) == len(table)
    by_pid = [r.pid for r in stored] == sorted(r.pid for r in stored)
    by_file = [r.row_number for r in stored] == sorted(expected)
    assert (by_pid, by_file) == ((True, False) if order == "pid" else (False, True))
    assert [r.pk for r in stored] == list(range(stored[0].pk, stored[0].pk + len(stored)))
    for row in stored:
        e = expected[row.row_number]
        assert (row.id_number, row.name, row.sex, row.birth_date, row.grade, row.major) == (
            e.id_number,
            e.name,
            e.sex,
            e.birth_date,
            e.grade,
            e.major,
        )
        assert (row.phone, row.amount, row.bank_account) == (e.phone, e.amount, e.bank_account)
        assert row.pid == person_key(e.id_number)
        assert row.phone_key == (phone_key(e.phone) if e.phone else None)


@pytest.mark.parametrize("params", [999, 13 * 7], ids=["default", "7-rows-a-statement"])
def test_it_stores_every_row_whole_in_its_order(tree, monkeypatch, params):
    from django.db import connection

    # SQLite: several rows a statement, whole statements and a shorter last one
    monkeypatch.setattr(connection.features, "max_query_params", params)
    table = _varied(range(40))
    stored = _import(tree["3661000001"], table).recipient_list
    _assert_stored_as_checked(stored, table, uploads_order())


def test_the_bulk_load_stores_every_list_whole_in_pid_order(tree):
    from zizhu.recipients.services import ListLoad, recipient_lists_load

    project = AidProject.objects.get(code="vocational_national_grant")
    tables = {1: _varied(range(30)), 2: _varied(range(100, 125))}
    loads = [
        ListLoad(tree["3661000001"], project, 2025, "autumn", table, batch=batch)
        for batch, table in tables.items()
    ]
    assert recipient_lists_load(lists=loads) == 55
    for batch, table in tables.items():
        _assert_stored_as_checked(RecipientList.objects.get(batch=batch), table)


def test_the_bulk_load_names_lists_and_columns_in_chinese(tree):
    """recipient_lists_load (a province moving its lists in, the demo): its refusals name each
    list and column as the upload's pages do, not by their English codes."""
    from django.core.exceptions import ValidationError

    from zizhu.recipients.services import ListLoad, recipient_lists_load

    school = tree["3661000001"]
    project = AidProject.objects.get(code="vocational_national_grant")
    _import(school, rows(1))  # the key of the first list already has a version
    bad = rows(2, 3)
    bad[0][1]["id_number"] = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
    bad[1][1]["amount"] = "abc"
    with pytest.raises(ValidationError) as refused:
        recipient_lists_load(
            lists=[
                ListLoad(school, project, 2025, "autumn", rows(4)),
                ListLoad(school, project, 2025, "spring", bad),
            ]
        )
    messages = refused.value.messages
    label = f"3661000001 {school.name} {project.name} 2025学年"
    assert f"{label}秋季学期 第1批: 该名单已存在" in messages
    assert any(m.startswith(f"{label}春季学期 第1批 第2行 身份证件号: ") for m in messages)
    assert any(m.startswith(f"{label}春季学期 第1批 第3行 资助金额: ") for m in messages)
    for english in ("id_number", "amount", "autumn", "spring", "vocational_national_grant", "#"):
        assert all(english not in m for m in messages), (english, messages)
    assert RecipientList.objects.count() == 1  # nothing of the load was written


def _page_headers(page: str) -> list[str]:
    table = page.split('data-testid="job-problems"', 1)[1]
    head = table.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [cell.split("</th>", 1)[0] for cell in head.split("<th>")[1:]]


@pytest.mark.parametrize(
    "language, words", [("zh-hans", "行号,列,问题"), ("en", "Row,Column,Problem")]
)
def test_the_job_page_and_the_error_report_name_the_columns_alike(
    client, users, language, words, django_capture_on_commit_callbacks
):
    body = f"id_number,name,amount\n{make_id(1)},甲,100\n123,乙,100\n".encode()
    login_as(client, users["school_operator"])
    client.cookies["django_language"] = language
    with django_capture_on_commit_callbacks(execute=True):
        upload_list(client, body)
    job = Job.objects.get(kind="recipients_import")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    report = client.get(f"/recipients/import/{job.pk}/errors.csv").content.decode("utf-8-sig")
    assert _page_headers(page) == report.splitlines()[0].split(",") == words.split(",")
