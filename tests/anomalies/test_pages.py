"""异常信息查看: scoped counts per risk and per child unit, drill-down, the finding list, the
detail page, the XLSX export, the school's to-do; query counts that do not grow with the data."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login_as
from zizhu.anomalies.models import Finding, RunStatus
from zizhu.audit.models import AuditEvent
from zizhu.recipients.models import RecipientRow
from zizhu.units.services import UnitRow, units_import

from .factories import MONTH, OLD, approved_list, id_for, make_finding, make_run

GRANT = "/anomalies/national-grant/"
WAIVER = "/anomalies/tuition-waiver/"


@pytest.fixture
def findings(tree):
    """School A: two high (rules 6, 9) and one low (23) national-grant finding and one
    tuition-waiver finding (20); school B: one medium (15); school C (neighbour): one low.
    Each names its student's row of an approved list (学生1 … 学生7)."""
    for school, pids in (("3661000001", (1, 2, 3, 4, 7)), ("3661000002", (5,))):
        approved_list(school, "national_grant", [(pid, OLD) for pid in pids])
    approved_list("3661000003", "national_grant", [(6, OLD)])
    rows = dict(RecipientRow.objects.values_list("pid", "pk"))
    run = make_run()

    def made(school, rule, pid, month_run=run):
        return make_finding(month_run, school, rule=rule, pid=pid, row_id=rows[pid])

    found = {
        "a_high": made("3661000001", 6, 1),
        "a_high2": made("3661000001", 9, 2),
        "a_low": made("3661000001", 23, 3),
        "a_waiver": made("3661000001", 20, 4),
        "b_medium": made("3661000002", 15, 5),
        "c_low": made("3661000003", 23, 6),
    }
    made("3661000001", 23, 7, make_run("2024-09"))
    return found


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response


def test_the_county_sees_counts_per_school_and_only_its_findings(client, users, findings):
    login_as(client, users["county_operator"])
    response = page(client, GRANT)
    assert response.context["filters"].month == MONTH  # the latest month by default
    risks = {value: n for value, _label, n in response.context["risks"]}
    assert risks == {"high": 2, "medium": 1, "low": 1}
    children = {row.unit.code: row.risks for row in response.context["children"]}
    assert children == {"3661000001": {"high": 2, "low": 1}, "3661000002": {"medium": 1}}
    listed = {row.finding.pk for row in response.context["rows"]}
    assert listed == {findings[k].pk for k in ("a_high", "a_high2", "a_low", "b_medium")}
    body = response.content.decode()
    assert "学生6" not in body  # the neighbour's finding
    # authorities see the student's name and the masked ID number
    assert "学生2" in body and findings["a_high2"].id_masked in body and id_for(2, OLD) not in body
    assert 'class="risk-high"' in body and "echarts-5.6.0.min.js" in body
    breadcrumbs = response.context["breadcrumbs"]
    assert [str(item.label) for item in breadcrumbs] == [
        "资助业务管理",
        "资助资金管理",
        "国家资助",
        "中职国家助学金",
        "异常信息查看",
    ]


def test_the_province_sees_counts_per_prefecture_and_drills_down(client, users, findings):
    login_as(client, users["province_operator"])
    response = page(client, GRANT)
    children = {row.unit.code: row.total for row in response.context["children"]}
    assert children == {"610100": 5}  # the province's direct higher school has no findings
    response = page(client, GRANT, unit="610100")
    assert {row.unit.code: row.total for row in response.context["children"]} == {
        "610111": 1,
        "610112": 4,
    }
    response = page(client, GRANT, unit="3661000001", risk="high")
    assert response.context["children"] == []
    assert {row.finding.pk for row in response.context["rows"]} == {
        findings["a_high"].pk,
        findings["a_high2"].pk,
    }
    assert [u.code for u in response.context["trail"]] == [
        "610000",
        "610100",
        "610112",
        "3661000001",
    ]
    # each risk count links to its own risk, the page's other filters kept, one risk a link
    html = response.content.decode()
    for risk in ("high", "medium", "low"):
        assert (
            f"?month={response.context['filters'].month}&amp;unit=3661000001&amp;risk={risk}"
            in html
        )
    assert "risk=high&amp;unit=3661000001&amp;risk=" not in html


def test_the_filters_narrow_the_findings(client, users, findings):
    login_as(client, users["school_operator"])
    assert page(client, GRANT, rule="9").context["page"].paginator.count == 1
    assert page(client, GRANT, status="explained").context["page"].paginator.count == 0
    assert page(client, GRANT, month="2024-09").context["page"].paginator.count == 1
    # an invalid value is ignored, not an error
    assert page(client, GRANT, risk="purple", rule="x").context["page"].paginator.count == 3
    waiver = page(client, WAIVER)
    assert {row.finding.rule for row in waiver.context["rows"]} == {20}


def test_a_county_cannot_drill_into_another_county(client, users, findings):
    login_as(client, users["county_operator"])
    assert client.get(GRANT, {"unit": "610111"}).status_code == 404
    assert client.get(GRANT, {"unit": "610000"}).status_code == 404


def test_the_detail_page_shows_the_masked_subject_and_the_counterpart(client, users, findings):
    login_as(client, users["county_operator"])
    finding = findings["a_high2"]
    response = page(client, f"{GRANT}{finding.pk}/")
    body = response.content.decode()
    assert "学生2" in body and finding.id_masked in body and id_for(2, OLD) not in body
    assert "同期在未央第二职高（3661000002）享受资助（其他中职学校）" in body
    assert 'class="risk-high"' in body
    assert "未央第二职高（3661000002）" in body and "其他中职学校受助学生" in body
    assert "中职国家助学金受助学生名单与其他中职学校享受资助的学生重复" in body
    assert client.get(f"{WAIVER}{finding.pk}/").status_code == 404  # wrong programme
    assert client.get(f"{GRANT}{findings['c_low'].pk}/").status_code == 404  # neighbour's
    assert AuditEvent.objects.filter(action="access.denied", result="denied").exists()


def test_the_export_is_masked_scoped_and_audited(client, users, findings):
    login_as(client, users["county_operator"])
    response = client.get(f"{GRANT}export.xlsx", {"risk": "high"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][8] == "身份证件号"
    assert sorted(r[8] for r in rows[1:]) == ["610102********0001", "610102********0002"]
    event = AuditEvent.objects.get(action="anomalies.export")
    assert event.detail["rows"] == 2 and event.detail["unit"] == "610112"
    assert client.get(f"{GRANT}export.xlsx", {"unit": "610111"}).status_code == 404


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, url, **params)
    return len(captured)


def test_the_report_needs_the_same_queries_for_more_findings_and_units(client, users, findings):
    login_as(client, users["province_operator"])
    before = {
        "province": _queries(client, GRANT),
        "county": _queries(client, GRANT, unit="610112"),
        "school": _queries(client, GRANT, unit="3661000001"),
    }
    # five more counties with two schools each, and 30 more findings everywhere
    units_import(
        rows=[UnitRow(f"61011{n}", f"区{n}", "county", "610100") for n in range(3, 8)]
        + [
            UnitRow(f"36610001{n}{k}", f"学校{n}{k}", "school", f"61011{n}", stage="vocational")
            for n in range(3, 8)
            for k in range(2)
        ]
    )
    run = Finding.objects.first().run
    schools = [
        "3661000001",
        "3661000002",
        *[f"36610001{n}{k}" for n in range(3, 8) for k in (0, 1)],
    ]
    for i in range(30):
        make_finding(run, schools[i % len(schools)], rule=(6, 15, 23)[i % 3], pid=100 + i)
    after = {
        "province": _queries(client, GRANT),
        "county": _queries(client, GRANT, unit="610112"),
        "school": _queries(client, GRANT, unit="3661000001"),
    }
    assert after == before


def test_the_detail_page_needs_a_fixed_number_of_queries(client, users, findings):
    login_as(client, users["county_operator"])
    url = f"{GRANT}{findings['a_high'].pk}/"
    assert _queries(client, url) <= 12


def test_the_school_home_page_lists_open_findings_per_risk_and_rule(client, users, findings):
    login_as(client, users["school_operator"])
    response = page(client, "/")
    todo = response.context["todo"]
    assert todo.month == MONTH
    levels = {level.risk: level for level in todo.levels}
    assert set(levels) == {"high", "low"}
    assert levels["high"].total == 2
    assert [(r.rule.number, r.count) for r in levels["high"].rules] == [(6, 1), (9, 1)]
    assert [(r.rule.number, r.count) for r in levels["low"].rules] == [(20, 1), (23, 1)]
    link = levels["high"].rules[1].url
    assert link == f"{GRANT}?month={MONTH}&rule=9&status=open"
    body = response.content.decode()
    assert link.replace("&", "&amp;") in body
    followed = client.get(link)
    assert [row.finding.pk for row in followed.context["rows"]] == [findings["a_high2"].pk]
    # an explained finding is no longer a to-do item
    Finding.objects.filter(pk=findings["a_high2"].pk).update(status="explained")
    levels = {lv.risk: lv for lv in page(client, "/").context["todo"].levels}
    assert [(r.rule.number, r.count) for r in levels["high"].rules] == [(6, 1)]


def test_the_to_do_says_nothing_to_do_without_findings(client, users):
    login_as(client, users["neighbour_school_operator"])
    body = page(client, "/").content.decode()
    assert "暂无待办事项" in body


def test_the_home_page_needs_the_same_queries_for_more_findings(client, users, findings):
    login_as(client, users["school_operator"])
    before = _queries(client, "/")
    run = Finding.objects.first().run
    for i in range(20):
        make_finding(run, "3661000001", rule=(1, 11, 21, 8)[i % 4], pid=200 + i)
    assert _queries(client, "/") == before


def test_the_to_do_is_about_the_latest_month_checked(client, users, findings):
    make_run("2024-11")  # a later run without findings at the school
    login_as(client, users["school_operator"])
    assert page(client, "/").context["todo"] is None


def test_a_school_sees_its_students_in_full_and_the_view_is_audited(client, users, findings):
    login_as(client, users["school_reviewer"])
    response = page(client, GRANT)
    shown = {row.finding.pk: row for row in response.context["rows"]}
    row = shown[findings["a_high"].pk]
    assert (row.name, row.id_number, row.full) == ("学生1", id_for(1, OLD), True)
    assert (row.grade, row.major) == ("二年级", "数控技术应用")
    assert id_for(1, OLD) in response.content.decode()
    event = AuditEvent.objects.get(action="anomalies.view_full")
    assert event.detail["count"] == 3 and event.actor_username == "school_reviewer"
    detail = page(client, f"{GRANT}{findings['a_low'].pk}/").content.decode()
    assert id_for(3, OLD) in detail and "二年级" in detail and "年龄 20 岁" in detail
    assert 'data-testid="reveal-form"' not in detail  # nothing to reveal: shown in full


def test_an_authority_operator_reveals_one_id_number_audited(client, users, findings):
    finding = findings["a_low"]
    login_as(client, users["county_supervisor"])
    body = page(client, f"{GRANT}{finding.pk}/").content.decode()
    assert "学生3" in body and 'data-testid="reveal-form"' not in body  # read-only role
    assert client.post(f"/anomalies/findings/{finding.pk}/reveal/").status_code == 403
    login_as(client, users["county_operator"])
    body = page(client, f"{GRANT}{finding.pk}/").content.decode()
    assert id_for(3, OLD) not in body and 'data-testid="reveal-form"' in body
    assert not AuditEvent.objects.filter(action="anomalies.reveal").exists()
    revealed = client.post(f"/anomalies/findings/{finding.pk}/reveal/")
    assert revealed.status_code == 200 and id_for(3, OLD) in revealed.content.decode()
    event = AuditEvent.objects.get(action="anomalies.reveal")
    assert event.object_id == str(finding.pk) and event.actor_username == "county_operator"


def test_the_detail_reads_as_words(client, users, findings):
    run = findings["a_high"].run
    rows = dict(RecipientRow.objects.values_list("pid", "pk"))
    phone = make_finding(run, "3661000001", rule=24, pid=7, row_id=rows[7], detail="3")
    login_as(client, users["school_operator"])
    shown = {row.finding.pk: row.detail for row in page(client, GRANT).context["rows"]}
    assert shown[phone.pk] == "与 3 名学生共用联系电话"
    assert shown[findings["a_low"].pk] == "年龄 20 岁"
    assert shown[findings["a_high"].pk] == "同期在陕西某学院（4161000001）享受资助（高等教育）"


def test_three_years_ago_names_the_school_and_the_project(client, users, findings):
    approved_list("3661000002", "tuition_waiver", [(3, OLD)], year=2021)
    run = findings["a_high"].run
    rows = dict(RecipientRow.objects.filter(recipient_list__year=2024).values_list("pid", "pk"))
    old = make_finding(run, "3661000001", rule=18, pid=3, row_id=rows[3])
    login_as(client, users["school_operator"])
    detail = page(client, f"{GRANT}{old.pk}/").context["shown"].detail
    assert detail == "三年前（2021学年）在未央第二职高（3661000002）享受中职免学费"


def test_the_pages_of_findings_add_up_without_counting_them_twice(client, users, findings):
    """The report's pages come from the risk counts (the same rows): 56 findings of the
    county are two pages, the second holding the last 6, and no COUNT(*) query is run."""
    run = findings["a_high"].run
    for i in range(52):  # the county holds 4 national-grant findings of the month already
        make_finding(run, "3661000002", rule=(6, 15, 23)[i % 3], pid=200 + i)
    login_as(client, users["county_operator"])
    with CaptureQueriesContext(connection) as queries:
        first = page(client, GRANT)
    assert not [q for q in queries.captured_queries if 'COUNT(*) AS "__count"' in q["sql"]]
    assert first.context["total"] == 56
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["rows"]) == 50
    second = page(client, GRANT, page=2)
    assert len(second.context["rows"]) == 6
    shown = {row.finding.pk for row in first.context["rows"]} | {
        row.finding.pk for row in second.context["rows"]
    }
    assert len(shown) == 56


@pytest.mark.django_db
def test_the_latest_month_checked_is_the_latest_finished_run():
    """Compiled once (zizhu.lib.compiled): the answer follows the runs as they change."""
    from zizhu.anomalies.selectors import latest_month_checked

    assert latest_month_checked() is None
    make_run("2025-09")
    make_run("2025-11", status=RunStatus.FAILED)
    make_run("2025-12", status=RunStatus.RUNNING)
    assert latest_month_checked() == "2025-09"
    make_run("2025-10")
    assert latest_month_checked() == "2025-10"
