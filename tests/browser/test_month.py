"""One month in the browser, across roles, with no command-line step in between: the school's
operator uploads a list, the reviewer approves it, the system administrator imports the month's
register and starts the run from its page, the school sees the named finding on its to-do and
explains it, the county reviews it and the province exports the month's findings. Each role's
home page is photographed (test-output/month-*.png)."""

import io

import openpyxl
import pytest

from tests.browser.fixtures import log_in
from zizhu.anomalies.models import Finding, FindingStatus, Run, RunStatus
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.lib.idnumber import check_char
from zizhu.recipients.models import RecipientList, Status
from zizhu.units.services import UnitRow, units_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONTH = "2025-10"


def id_number(born: str, serial: int) -> str:
    first17 = f"610112{born}{serial:03d}"
    return first17 + check_char(first17)


OLD = id_number("20040501", 11)  # 21 on 2025-10-01: rule 23
TWICE = id_number("20090301", 23)  # also enrolled at a senior high school: rule 15
PLAIN = id_number("20090602", 35)


def home(page, base_url, username, screenshot) -> str:
    log_in(page, base_url, username)
    screenshot(page, f"month-{username}-home")
    return page.get_by_test_id("todo").inner_text() if page.get_by_test_id("todo").count() else ""


def the_list_file(folder) -> str:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["身份证件号", "姓名", "资助金额", "年级", "专业", "联系电话"])
    sheet.append([OLD, "王大伟", 1150, "三年级", "汽车运用与维修", "13800000011"])
    sheet.append([TWICE, "李小红", 1150, "一年级", "会计事务", "13800000023"])
    sheet.append([PLAIN, "张明", 1150, "二年级", "电子商务", "13800000035"])
    path = folder / "中职国家助学金名单.xlsx"
    book.save(path)
    return str(path)


def the_register_file(folder) -> str:
    path = folder / "普通高中学籍.csv"
    path.write_text(
        f"学校标识码,身份证件号,姓名,学籍状态\n3461000001,{TWICE},李小红,在籍\n", encoding="utf-8"
    )
    return str(path)


def test_a_month_of_work_across_roles(live_server, users, page, screenshot, tmp_path):
    # a transactional test on PostgreSQL starts from a flushed database: seed the catalogue
    seed_catalogue(AidProject)
    units_import(
        rows=[UnitRow("3461000001", "未央区第一中学", "school", "610112", stage="senior_high")]
    )
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of irreversible acts

    # 1. the school's operator uploads the term's grant list and submits it
    log_in(page, base, "school_operator")
    page.goto(f"{base}/recipients/upload/")
    page.select_option("select[name=project]", "vocational_national_grant")
    page.fill("input[name=year]", "2025")
    page.select_option("select[name=term]", "autumn")
    page.set_input_files("input[name=file]", the_list_file(tmp_path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/jobs/**")
    page.goto(f"{base}/recipients/")
    page.get_by_test_id("recipient-lists").get_by_role("link", name="中职国家助学金").click()
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert RecipientList.objects.get().status == Status.SUBMITTED

    # 2. the reviewer finds it on the to-do and approves it
    todo = home(page, base, "school_reviewer", screenshot)
    assert "待审核的资助名单" in todo
    page.get_by_test_id("todo").get_by_role("link", name="1").first.click()
    page.get_by_test_id("recipient-lists").get_by_role("link", name="中职国家助学金").click()
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert RecipientList.objects.get().status == Status.APPROVED

    # 3. the system administrator imports the month's register and starts the run
    log_in(page, base, "sysadmin")
    page.goto(f"{base}/registers/upload/")
    page.select_option("select[name=kind]", "enrolment_senior_high")
    page.fill("input[name=month]", MONTH)
    page.set_input_files("input[name=file]", the_register_file(tmp_path))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/registers/*/")
    page.goto(f"{base}/anomalies/runs/")
    form = page.get_by_test_id("run-form")
    form.locator("input[name=month]").fill(MONTH)
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/anomalies/runs/*/")
    assert page.get_by_test_id("run-status").inner_text() == "已完成"
    assert "中职国家助学金" in page.get_by_test_id("run-lists").inner_text()
    screenshot(page, "month-run")
    run = Run.objects.get()
    assert (run.status, run.total) == (RunStatus.DONE, 2)

    # 4. the school sees the named findings on its to-do and explains the age finding
    todo = home(page, base, "school_operator", screenshot)
    assert "待说明的异常信息（中职国家助学金，2025-10）" in todo
    page.get_by_test_id("todo-line").first.click()
    findings = page.get_by_test_id("findings")
    assert "王大伟" in findings.inner_text() and OLD in findings.inner_text()
    row = findings.locator("tbody tr").filter(has_text="王大伟")
    assert "年龄 21 岁" in row.inner_text()
    twice = findings.locator("tbody tr").filter(has_text="李小红").inner_text()
    assert "未央区第一中学（3461000001）" in twice
    row.get_by_role("link", name="查看").click()
    form = page.get_by_test_id("explain-form")
    form.locator("input[name=verdict][value=true]").check()
    form.locator("textarea[name=note]").fill("该生为复学学生，已按规定停发助学金。")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("finding-status").inner_text() == "已说明"

    # 5. the county reviews it from its own to-do
    todo = home(page, base, "county_operator", screenshot)
    assert "待审核的异常信息说明（中职国家助学金，2025-10）" in todo
    page.get_by_test_id("todo-line").filter(has_text="1").first.click()
    page.get_by_test_id("findings").get_by_role("link", name="查看").click()
    assert "王大伟" in page.get_by_test_id("student-name").inner_text()
    assert OLD not in page.get_by_test_id("student-id").inner_text()  # masked for the county
    review = page.get_by_test_id("review-form")
    review.locator("input[name=decision][value=accepted]").check()
    review.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert Finding.objects.get(rule=23).status == FindingStatus.ACCEPTED

    # 6. the province exports the month's findings
    home(page, base, "province_operator", screenshot)
    page.goto(f"{base}/anomalies/national-grant/?month={MONTH}")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    with open(download.value.path(), "rb") as handle:  # a temporary name without .xlsx
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    rows = [row for row in sheet.iter_rows(values_only=True) if any(row)]
    assert len(rows) == 1 + 2  # the header and the two findings
    assert OLD not in str(rows)  # masked for the province

    # and the read-only roles: their key figures
    home(page, base, "county_supervisor", screenshot)
    assert page.get_by_test_id("key-figures").count() == 1
