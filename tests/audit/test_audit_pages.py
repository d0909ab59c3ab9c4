"""The audit log page and its exports: for the audit administrator only, filtered by actor,
action, result and date, exported to CSV and XLSX with formulas neutralised."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from tests.audit.conftest import record_at
from tests.conftest import login_as
from zizhu.audit.models import AuditEvent

BEIJING = ZoneInfo("Asia/Shanghai")
FORMULA = '=HYPERLINK("http://evil.example","click")'
# the trail's actors; the fixtures' own records (unit import, the auditor's sign-in) are today's
TRAIL_ACTORS = {"wang", "li", "zhao", FORMULA}
BEFORE_TODAY = {"date_to": "2025-12-31"}


def beijing(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=BEIJING)


@pytest.fixture
def trail(db):
    """Five records on known local (Beijing) times; the names say who did what."""
    record_at(beijing("2025-03-10", 9), action="funds.filing_submit", username="wang")
    record_at(
        beijing("2025-03-20", 23, 30), action="funds.filing_return", username="li", result="failure"
    )
    # 00:30 in Beijing on the 21st is still the 20th in UTC
    record_at(beijing("2025-03-21", 0, 30), action="funds.filing_approve", username="zhao")
    record_at(beijing("2025-04-01", 12), action="login", username="wang", result="denied")
    record_at(beijing("2025-04-02", 12), action="login", username=FORMULA)


@pytest.fixture
def auditor(client, users):
    return login_as(client, users["auditor"])


def listed(client, **params) -> list[tuple[str, str]]:
    response = client.get("/audit/", params)
    assert response.status_code == 200
    return [
        (e.actor_username, e.action)
        for e in response.context["page"]
        if e.actor_username in TRAIL_ACTORS
    ]


def test_it_lists_the_newest_records_first(auditor, trail):
    assert listed(auditor) == [
        (FORMULA, "login"),
        ("wang", "login"),
        ("zhao", "funds.filing_approve"),
        ("li", "funds.filing_return"),
        ("wang", "funds.filing_submit"),
    ]


def test_it_shows_the_records_in_the_table(auditor, trail):
    html = auditor.get("/audit/", {"actor": "li"}).content.decode()
    table = html.split('data-testid="audit"', 1)[1]
    assert "退回资金填报" in table  # the action's label
    assert "2025-03-20 23:30:00" in table  # shown in Beijing time
    assert "提交资金填报" not in table


def test_it_reads_a_page_in_the_same_number_of_queries_however_many_records(auditor, trail):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert auditor.get("/audit/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(120):
        record_at(beijing("2025-05-01", 8, n % 60), action="login", username=f"user{n}")
    assert queries() == few


def test_it_filters_by_part_of_the_username(auditor, trail):
    assert listed(auditor, actor="WAN") == [("wang", "login"), ("wang", "funds.filing_submit")]


def test_it_filters_by_the_action(auditor, trail):
    assert listed(auditor, action="funds.filing_return") == [("li", "funds.filing_return")]
    assert listed(auditor, action="login") == [(FORMULA, "login"), ("wang", "login")]


@pytest.mark.parametrize(
    ("result", "expected"),
    [("failure", [("li", "funds.filing_return")]), ("denied", [("wang", "login")])],
)
def test_it_filters_by_result(auditor, trail, result, expected):
    assert listed(auditor, result=result) == expected


def test_it_filters_by_whole_local_days(auditor, trail):
    assert listed(auditor, date_from="2025-03-20", date_to="2025-03-20") == [
        ("li", "funds.filing_return")
    ]
    assert listed(auditor, date_from="2025-03-21", date_to="2025-03-31") == [
        ("zhao", "funds.filing_approve")
    ]


def test_it_combines_filters(auditor, trail):
    assert listed(auditor, actor="wang", date_from="2025-03-15") == [("wang", "login")]


def test_it_ignores_a_malformed_date(auditor, trail):
    response = auditor.get("/audit/", {"date_from": "20.03.2025"})
    assert response.status_code == 200
    assert response.context["filters"]["date_from"] == ""
    assert len(listed(auditor, date_from="20.03.2025")) == 5


def test_it_exports_csv_with_formulas_neutralised(auditor, trail):
    response = auditor.get("/audit/export/", {"format": "csv", **BEFORE_TODAY})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.endswith("filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "时间", "用户名", "单位代码", "操作", "对象类型", "对象编号", "结果", "IP地址", "详情"
    ]  # fmt: skip
    assert rows[1][:2] == ["2025-04-02 12:00:00", "'" + FORMULA]  # local time
    assert [r[1] for r in rows[1:]] == ["'" + FORMULA, "wang", "zhao", "li", "wang"]


def test_it_exports_xlsx_with_formulas_neutralised(auditor, trail):
    response = auditor.get("/audit/export/", {"format": "xlsx", **BEFORE_TODAY})

    assert response.status_code == 200
    assert "filename*=UTF-8''%E5%AE%A1%E8%AE%A1" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["审计日志"]
    cell = sheet["B2"]
    assert cell.value == "'" + FORMULA
    assert cell.data_type == "s"  # a string, not a formula
    assert sheet.max_row == 6  # header and five records


def test_it_exports_only_the_filtered_records(auditor, trail):
    response = auditor.get("/audit/export/", {"format": "csv", "result": "failure"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r[1], r[3], r[6]) for r in rows[1:]] == [("li", "退回资金填报", "失败")]


def test_it_audits_the_export(auditor, trail):
    auditor.get("/audit/export/", {"format": "xlsx", "actor": "wang"})

    event = AuditEvent.objects.get(action="audit.export")
    assert event.actor_username == "auditor"
    assert event.detail["format"] == "xlsx"
    assert event.detail["filters"]["actor"] == "wang"


@pytest.mark.parametrize(
    "username", ["sysadmin", "secadmin", "province_operator", "county_leader", "school_reviewer"]
)
@pytest.mark.parametrize("path", ["/audit/", "/audit/export/", "/audit/export/?format=xlsx"])
def test_it_refuses_the_audit_log_to_other_roles(client, users, trail, username, path):
    login_as(client, users[username])

    response = client.get(path)

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    denied = AuditEvent.objects.get(action="access.denied")
    assert (denied.actor_username, denied.result) == (username, "denied")
    assert denied.detail["need"] == "read_audit"
