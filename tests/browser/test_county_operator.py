import pytest

from tests.browser.fixtures import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_county_operator_browse_the_county_but_not_the_neighbour(
    live_server, users, page, screenshot
):
    log_in(page, live_server.url, "county_operator")
    menu = page.get_by_test_id("menu")
    assert menu.get_by_text("资助业务管理").is_visible()
    assert menu.get_by_text("审计日志").count() == 0  # not the auditor's menu

    menu.get_by_role("link", name="辖区单位").click()
    page.wait_for_url(f"{live_server.url}/units/610112/")
    assert page.get_by_test_id("breadcrumbs").inner_text().replace("\n", "") == (
        "【资助业务管理】—【单位信息】—【辖区单位】"
    )
    page.get_by_role("link", name="未央职教中心").click()
    assert page.locator("h1").inner_text().startswith("未央职教中心")
    screenshot(page, "county-operator-school")

    response = page.goto(f"{live_server.url}/units/3661000003/")  # the neighbour's school
    assert response.status == 404
    screenshot(page, "county-operator-other-county-404")
