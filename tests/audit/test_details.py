"""The auditor reads an event's detail in Chinese, on the page and in both exports, while the
record itself stays as written.

Allowed Latin in a detail, because it is data rather than a code: an address (`/audit/`), a file
name (`凭证.pdf`), a SHA-256 digest (hex), a login name, the export formats XLSX and CSV and the
engines' own names (DuckDB). Unit codes, ids, months, dates and amounts are digits."""

import csv
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from tests.conftest import USERS, login_as
from zizhu.audit.details import Reader, described
from zizhu.audit.models import AuditEvent
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject

GRANT = "vocational_national_grant"
DIGEST = "ab" * 32
DATA = re.compile(
    r"/[\w/.-]*"  # an address
    r"|[0-9a-f]{64}"  # a digest
    r"|[^\s：，；（）、]+\.(pdf|jpg|png|xlsx|csv)"  # a file name
    r"|\b(XLSX|CSV|DuckDB)\b"
)
LATIN = re.compile(r"[A-Za-z][A-Za-z_]*")


def read(action: str, detail: dict, object_type: str = "") -> str:
    event = AuditEvent(action=action, object_type=object_type, detail=detail)
    with translation.override("zh-hans"):
        return Reader([event]).text(event)


@pytest.fixture
def grant(db) -> AidProject:
    return AidProject.objects.get(code=GRANT)


def test_a_summary_export(grant):
    detail = {"category": "national", "table": "vouchers", "unit": "3661000071", "year": 2025}
    detail |= {"project": GRANT, "rows": 3}

    assert read("fundreports.summary_export", detail) == (
        "资助类别：国家资助；表：财务支付总金额；资助项目：中职国家助学金；单位：3661000071；"
        "年度：2025；行数：3"
    )


def test_a_findings_export_and_an_explanation():
    export = {"programme": "national_grant", "unit": "610112", "month": "2025-10"}
    export |= {"risk": "high", "rule": "", "status": "open", "rows": 2, "masked": True}
    explain = {"finding": 7, "month": "2025-10", "rule": 3, "verdict": "false", "attachment": ""}

    assert read("anomalies.export", export) == (
        "单位：610112；月份：2025-10；资助项目：中职国家助学金；风险等级：高风险；状态：未处理；"
        "行数：2；证件号已遮盖：是"
    )
    assert (
        read("anomalies.explain", explain)
        == "异常信息：7；规则：3；月份：2025-10；核查结论：不属实"
    )


def test_a_register_import():
    detail = {"kind": "enrolment_vocational", "month": "2025-10", "rows": 10, "replaced": [4, 5]}

    assert read("registers.import", detail) == (
        "比对数据类别：中职学籍；月份：2025-10；行数：10；替换的比对数据：4、5"
    )


def test_an_access_refusal():
    role = {"reason": "role", "need": "read_audit", "path": "/audit/"}
    scope = {"reason": "out_of_scope", "unit": "610112", "path": "/units/610112/"}

    assert (
        read("access.denied", role)
        == "原因：角色无此权限；所需权限：查阅审计日志；访问地址：/audit/"
    )
    assert read("access.denied", scope) == (
        "原因：超出用户的辖区；单位：610112；访问地址：/units/610112/"
    )


def test_an_admin_change_names_the_fields_and_their_choices():
    changes = {"role": ["operator", "supervisor"], "is_active": [True, False]}
    changes |= {"email": ["", "x@example.cn"], "unit": [None, "12 未央区"]}
    detail = {"repr": "王五", "changes": changes}

    assert read("admin.change", detail, "accounts.user") == (
        # the user's fields in the model's order
        "记录：王五；修改内容：（电子邮件地址：无 → x@example.cn，有效：是 → 否，"
        "单位：无 → 12 未央区，角色：业务操作人员 → 业务主管领导）"
    )


def test_an_export_with_its_filters(grant):
    audit = {"actor": "wang", "unit": "", "action": "funds.filing_submit", "result": "denied"}
    audit |= {"date_from": "2025-01-01", "date_to": ""}
    details = {"category": "national", "rows": 4}
    details["query"] = f"year=2025&project={grant.pk}&level=county&status=submitted"

    assert read("audit.export", {"filters": audit, "format": "xlsx"}) == (
        "筛选条件：（用户名：wang，操作：提交资金填报，结果：拒绝，起始日期：2025-01-01）；格式：XLSX"
    )
    assert read("fundreports.details_export", details) == (
        "资助类别：国家资助；行数：4；"
        "筛选条件：（资助项目：中职国家助学金，年度：2025，状态：已提交，级别：区县级）"
    )


def test_a_filing_s_move_amounts_and_times_in_beijing_time(grant):
    unlock = {"from": "locked", "to": "submitted", "reason": "迟交"}
    unlock["unlocked_until"] = "2025-07-01 00:00:00+00:00"
    allocation = {"from": "610000", "to": "610112", "year": 2025, "project": GRANT}
    allocation["amounts"] = {"central": "100.00", "provincial": "0"}

    assert read("funds.filing_unlock", unlock, "funds.filing") == (
        "原因：迟交；从：已锁定；至：已提交；解锁截止时间：2025-07-01 08:00:00"
    )
    assert read("funds.allocation_create", allocation) == (
        "资助项目：中职国家助学金；年度：2025；从：610000；至：610112；"
        "金额：（中央资金：100.00，省级资金：0）"
    )


def test_a_voucher_change_and_its_files():
    detail = {"before": {"students": 3, "note": ""}, "after": {"students": 4, "note": "补发"}}
    detail["files_added"] = [{"name": "凭证.pdf", "sha256": DIGEST, "size": 10}]

    assert read("vouchers.update", detail, "vouchers.voucher") == (
        "修改前：（资助学生人数：3，备注：无）；修改后：（资助学生人数：4，备注：补发）；"
        f"新增文件：（名称：凭证.pdf，校验值：{DIGEST}，字节数：10）"
    )


def test_a_job_a_lists_export_and_a_demo_year(grant):
    job = {"run": 3, "month": "2025-10", "engine": "duckdb", "language": "zh-hans"}
    demo = {"year": 2025, "projects": [GRANT, "retired_grant"], "filings": 12}

    assert read("job.create", job, "jobs.job") == (
        "异常核查运行：3；月份：2025-10；计算引擎：DuckDB；语言：简体中文"
    )
    assert read("recipients.export_store", {"month": "2025-10", "2025-autumn": 12}) == (
        "月份：2025-10；2025 秋季学期：12"
    )
    assert read("demo.funds_year", demo) == (
        "资助项目：中职国家助学金、retired_grant；年度：2025；资金填报：12"
    )


def test_a_key_or_value_without_a_label_is_shown_as_it_is():
    assert read("retired.action", {"legacy": "x", "year": 2025, "api": False}) == (
        "年度：2025；经接口：否；legacy：x"
    )
    assert read("login", {}) == ""
    # an export without filters: nothing to say about them
    unfiltered = {"filters": {"actor": "", "unit": "", "action": ""}, "format": "csv"}
    assert read("audit.export", unfiltered) == "格式：CSV"


def test_the_projects_of_a_batch_are_looked_up_in_one_query(grant):
    events = [
        AuditEvent(action="vouchers.export", detail={"project": GRANT, "year": 2025 + n})
        for n in range(30)
    ]
    with CaptureQueriesContext(connection) as captured:
        texts = [text for _event, text in described(events)]

    assert len(captured) == 1
    assert all("中职国家助学金" in text for text in texts)


@pytest.fixture
def auditor(client, users):
    return login_as(client, users["auditor"])


@pytest.fixture
def variety(grant, users):
    """Events whose details hold every kind of value: codes, projects, data, nested dicts."""
    actor = users["county_operator"]
    for action, detail in [
        ("fundreports.summary_export", {"category": "national", "table": "levels"}),
        ("anomalies.explain", {"finding": 1, "verdict": "true", "attachment": "说明.pdf"}),
        ("anomalies.export", {"programme": "tuition_waiver", "risk": "low", "status": "open"}),
        ("registers.import", {"kind": "recipients_compulsory", "month": "2025-10"}),
        ("access.denied", {"reason": "not_the_school", "path": "/funds/vouchers/3/"}),
        ("access.denied", {"reason": "role", "need": "manage_units", "path": "/units/"}),
        ("vouchers.delete", {"project": GRANT, "files": [{"name": "a.pdf", "sha256": DIGEST}]}),
        ("audit.export", {"filters": {"action": "login", "result": "success"}, "format": "csv"}),
        ("anomalies.run_create", {"month": "2025-10", "engine": "duckdb"}),
        ("api.request", {"method": "POST", "path": "/api/v1/vouchers/", "status": 201}),
        ("catalogue.local_project_create", {"code": GRANT, "stage": "any"}),
        ("funds.filing_return", {"from": "pending", "to": "returned", "review_comment": "缺"}),
        ("recipients.import", {"rows": 3, "version": 2}),
    ]:
        audit_record(actor=actor, action=action, detail=detail)
    audit_record(
        actor=users["sysadmin"],
        action="admin.change",
        obj=actor,
        detail={"repr": actor.username, "changes": {"role": ["operator", "school_operator"]}},
    )


def _left_over(texts: list[str]) -> list[str]:
    """The Latin words of the details once the allowed data is taken out."""
    words = set()
    for text in texts:
        words |= set(LATIN.findall(DATA.sub(" ", text)))
    return sorted(words - set(USERS))


def test_the_page_shows_no_latin_word_in_a_detail(auditor, variety):
    page = auditor.get("/audit/").content.decode()
    cells = [html.unescape(c) for c in re.findall(r'<td class="detail">(.*?)</td>', page, re.S)]

    assert len([c for c in cells if c]) >= 14
    assert "记录：county_operator；修改内容：（角色：业务操作人员 → 学校业务操作人员）" in cells
    assert _left_over(cells) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_exports_show_no_latin_word_in_a_detail(auditor, variety, fmt):
    response = auditor.get("/audit/export/", {"format": fmt})
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[str(v or "") for v in row] for row in sheet.iter_rows(values_only=True)]
    column = rows[0].index("详情")
    details = [row[column] for row in rows[1:]]

    assert "IP地址" in rows[0]
    assert "原因：不是该校用户；访问地址：/funds/vouchers/3/" in details
    assert _left_over(details) == []


def test_the_page_s_column_is_named_like_the_export_s(auditor):
    page = auditor.get("/audit/").content.decode()

    assert "<th>IP地址</th>" in page
    assert "<th>IP</th>" not in page


def test_the_stored_record_is_unchanged(variety):
    event = AuditEvent.objects.get(action="access.denied", detail__need="manage_units")

    assert event.detail == {"reason": "role", "need": "manage_units", "path": "/units/"}
    assert event.detail_text == "原因：角色无此权限；所需权限：管理单位；访问地址：/units/"


def test_a_page_of_events_naming_projects_costs_one_query_more_at_most(auditor, grant):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auditor.get("/audit/").status_code == 200
        return len(captured)

    audit_record(action="vouchers.export", detail={"project": GRANT})
    few = queries()
    for n in range(60):
        audit_record(action="vouchers.export", detail={"project": GRANT, "rows": n})
    assert queries() == few
