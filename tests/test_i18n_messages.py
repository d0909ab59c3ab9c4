"""Messages built in Python (row checks, services, the import job) follow the UI's language:
in the English UI they carry no Han character, in the Chinese UI (the default) they read as
they always did."""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import login_as
from tests.recipients.factories import make_id, upload_list
from zizhu.jobs.models import Job
from zizhu.jobs.registry import job_kind
from zizhu.jobs.services import job_create, job_run
from zizhu.lib import idnumber, phone
from zizhu.lib.uploads import UploadRejected, check_attachment, decode_csv_bytes, pdfs
from zizhu.recipients.validation import parse_amount
from zizhu.units.services import UnitRow, units_validate

HAN = re.compile(r"[\u4e00-\u9fff]")
UTF16 = "不支持 UTF-16/UTF-32 编码，请另存为 UTF-8 或 GB18030 编码的 CSV"
BAD_CHECK = make_id(1)[:-1] + ("0" if make_id(1)[-1] != "0" else "1")


def _refusal(check, *args) -> str:
    try:
        check(*args)
    except UploadRejected as exc:
        return exc.message
    raise AssertionError("not refused")


# (what makes the message, its Chinese text)
MESSAGES = [
    (lambda: _refusal(check_attachment, "a.exe", b"MZ"), "只能上传 PDF、JPG、JPEG、PNG 文件"),
    (lambda: _refusal(decode_csv_bytes, b"\xff\xfea\x00"), UTF16),
    (lambda: pdfs._outward(pdfs._OUTWARD["/Launch"]).message, "文件含有动作（启动程序），已拒收"),
    (lambda: idnumber.problem("123"), "身份证件号应为18位"),
    (lambda: idnumber.problem(BAD_CHECK), "身份证件号校验位错误"),
    (lambda: phone.problem("12345"), "联系电话应为11位手机号码"),
    (lambda: parse_amount("12.345")[1], "资助金额最多保留两位小数"),
    (lambda: parse_amount(str(Decimal("200000")))[1], "资助金额超过单人上限 100,000.00 元"),
]


def _unit_problems() -> list[str]:
    rows = [UnitRow("610199", "", "county", "619900", row=2)]  # no name, no such parent
    return [p.message for p in units_validate(rows)]


@pytest.mark.parametrize("make, chinese", MESSAGES)
def test_a_row_check_speaks_the_active_language(make, chinese):
    with translation.override("zh-hans"):
        assert make() == chinese
    with translation.override("en"):
        english = make()
    assert english and not HAN.search(english), english


def _job_page_reasons(page: str) -> list[str]:
    table = page.split('data-testid="job-problems"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td class=\"num\">\d+</td><td>[^<]*</td><td>([^<]*)</td></tr>", table)


LIST = (
    f"id_number,name,amount\n{make_id(1)},甲,100\n123,乙,100\n{make_id(1)},丙,12.345\n"
).encode()
CHINESE_REASONS = ["身份证件号应为18位", "与第2行身份证件号重复", "资助金额最多保留两位小数"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_list_imports_problems_speak_the_uploaders_language(
    client, users, language, django_capture_on_commit_callbacks
):
    login_as(client, users["school_operator"])
    client.cookies["django_language"] = language
    with django_capture_on_commit_callbacks(execute=True):
        upload_list(client, LIST)
    job = Job.objects.get(kind="recipients_import")
    reasons = _job_page_reasons(client.get(f"/jobs/{job.pk}/").content.decode())
    report = client.get(f"/recipients/import/{job.pk}/errors.csv").content.decode("utf-8-sig")
    in_report = [line.rsplit(",", 1)[1] for line in report.splitlines()[1:]]
    assert len(reasons) == len(in_report) == 3
    if language == "zh-hans":
        assert sorted(reasons) == sorted(in_report) == sorted(CHINESE_REASONS)
        assert job.message == "发现 3 处错误，未写入任何数据"
    else:
        shown = [*reasons, *in_report, job.message, job.result["links"][0]["label"]]
        assert [text for text in shown if HAN.search(text)] == []


NEW = {"name": "中职学生交通补助", "stage": "vocational", "standard_amount": "800",
       "source": "", "note": ""}  # fmt: skip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_form_error_from_a_service_speaks_the_users_language(client, users, language):
    login_as(client, users["province_operator"])
    client.cookies["django_language"] = language
    assert client.post("/funds/catalogue/local/", NEW).status_code == 302
    page = client.post("/funds/catalogue/local/", NEW).content.decode()
    errors = re.findall(r'<ul class="errorlist[^"]*">\s*<li>(.*?)</li>', page, re.S)
    assert errors, page[:2000]
    if language == "zh-hans":
        assert errors == ["本省已有同学段的项目“中职学生交通补助”"]
    else:
        # the project's name is data; the rest of the message is the UI's
        assert len(errors) == 1 and NEW["name"] in errors[0]
        assert not HAN.search(errors[0].replace(NEW["name"], "")), errors[0]


@job_kind("test_speaks")
def _speaks(job, progress):
    progress.advance(0, gettext("Reading the file"))
    return {}


@pytest.mark.parametrize("language, said", [("en", "Reading the file"), ("zh-hans", "读取文件")])
def test_a_job_speaks_the_language_it_was_submitted_in_not_the_workers(db, language, said):
    with translation.override(language):
        job = job_create(kind="test_speaks", params={}, enqueue=False)
    worker = "zh-hans" if language == "en" else "en"
    with translation.override(worker):  # a worker process has a language of its own
        assert job_run(job.pk).message == said


def test_the_unit_checks_of_the_admin_pages_speak_the_active_language(db):
    with translation.override("zh-hans"):
        assert _unit_problems() == ["名称不能为空", "上级单位 619900 不存在"]
    with translation.override("en"):
        english = _unit_problems()
    assert len(english) == 2 and not any(HAN.search(m) for m in english), english
