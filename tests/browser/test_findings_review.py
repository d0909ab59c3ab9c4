"""A school operator follows a to-do link, explains a finding, and the county operator accepts
the explanation."""

import pytest

from tests.anomalies.factories import PDF, make_finding, make_run
from tests.browser.fixtures import log_in
from zizhu.anomalies.models import Explanation, Finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def uploads_ready() -> bool:
    try:
        from zizhu.lib.uploads import check_attachment  # noqa: F401
    except ImportError:
        return False
    return True


def test_a_school_explains_a_finding_and_the_county_accepts_it(
    live_server, users, page, screenshot, tmp_path
):
    run = make_run("2025-10")
    finding = make_finding(run, "3661000001", rule=9, pid=4711)  # high risk, national grant
    make_finding(run, "3661000001", rule=23, pid=4712)  # low risk
    make_finding(run, "3661000003", rule=9, pid=4713)  # the neighbour's: never shown here

    log_in(page, live_server.url, "school_operator")
    todo = page.get_by_test_id("todo")
    assert "2025-10" in todo.inner_text()
    assert todo.locator("tr[data-risk=high]").count() == 1
    screenshot(page, "school-operator-todo")
    todo.get_by_test_id("todo-rule").filter(has_text="规则 9").click()
    page.wait_for_url("**/anomalies/national-grant/?month=2025-10&rule=9&status=open")
    assert page.get_by_test_id("breadcrumbs").inner_text().replace("\n", "") == (
        "【资助业务管理】—【资助资金管理】—【国家资助】—【中职国家助学金】—【异常信息查看】"
    )
    rows = page.get_by_test_id("findings").locator("tbody tr")
    assert rows.count() == 1
    assert "610102********4711" in rows.first.inner_text()
    rows.first.get_by_role("link", name="查看").click()
    page.wait_for_url(f"**/anomalies/national-grant/{finding.pk}/")
    assert page.get_by_test_id("risk").get_attribute("class") == "risk-high"
    assert page.get_by_test_id("finding-status").inner_text() == "未处理"

    form = page.get_by_test_id("explain-form")
    form.locator("input[name=verdict][value=false]").check()
    form.locator("textarea[name=note]").fill("该生已于上学期转出，对方学校名单未及时更新。")
    if uploads_ready():
        proof = tmp_path / "转出证明.pdf"
        proof.write_bytes(PDF)
        form.locator("input[name=attachment]").set_input_files(str(proof))
    screenshot(page, "school-operator-explains")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/anomalies/national-grant/{finding.pk}/")
    assert page.get_by_test_id("finding-status").inner_text() == "已说明"
    assert "对方学校名单未及时更新" in page.get_by_test_id("explanation").inner_text()
    assert page.get_by_test_id("explain-form").count() == 1  # still changeable until reviewed

    log_in(page, live_server.url, "county_operator")
    menu = page.get_by_test_id("menu")
    menu.locator("a[href='/anomalies/national-grant/']").click()
    page.wait_for_url("**/anomalies/national-grant/")
    children = page.get_by_test_id("children").inner_text()
    assert "未央职教中心" in children and "灞桥职教中心" not in children
    page.get_by_test_id("children").get_by_role("link", name="未央职教中心").click()
    row = page.get_by_test_id("findings").locator("tbody tr").filter(has_text="4711")
    assert "已说明" in row.inner_text()
    row.get_by_role("link", name="查看").click()
    page.wait_for_url(f"**/anomalies/national-grant/{finding.pk}/")
    if uploads_ready():
        assert page.get_by_test_id("attachment").inner_text() == "转出证明.pdf"
    review = page.get_by_test_id("review-form")
    review.locator("input[name=decision][value=accepted]").check()
    review.locator("textarea[name=comment]").fill("情况属实，同意。")
    review.locator("button[type=submit]").click()
    page.wait_for_url(f"**/anomalies/national-grant/{finding.pk}/")
    assert page.get_by_test_id("finding-status").inner_text() == "审核通过"
    assert page.get_by_test_id("review-form").count() == 0
    screenshot(page, "county-operator-accepted")

    assert Finding.objects.get(pk=finding.pk).status == "accepted"
    explanation = Explanation.objects.get()
    assert (explanation.author.username, explanation.reviewer.username) == (
        "school_operator",
        "county_operator",
    )
