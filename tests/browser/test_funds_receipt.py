"""A county operator opens the income/expenditure summary from the menu, confirms the receipt
of an allocation and sees the summary change."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.fixtures import log_in
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Receipt
from zizhu.funds.services import allocation_create, filing_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_county_operator_confirms_a_receipt_and_the_summary_changes(
    live_server, tree, users, page, screenshot
):
    # a transactional test on PostgreSQL starts from a flushed database: the data migration's
    # catalogue is gone, so it is seeded again
    seed_catalogue(AidProject)
    grant = AidProject.objects.get(code="vocational_national_grant")
    year = timezone.localdate().year
    province = filing_create(
        unit=tree["610000"], year=year, project=grant, own_funds=Decimal("50.00"), actor=None
    )
    # central money reaches the province through an allocation from the central unit
    central = filing_create(
        unit=tree["000000"], year=year, project=grant, own_funds=Decimal("1000.00"), actor=None
    )
    allocation_create(
        source=central, target_unit=tree["610000"], amounts={"central": "800.00"}, actor=None
    )
    prefecture = allocation_create(
        source=province,
        target_unit=tree["610100"],
        amounts={"central": "500.00", "provincial": "30.00"},
        actor=None,
    ).to_filing
    allocation_create(
        source=prefecture,
        target_unit=tree["610112"],
        amounts={"central": "300.00", "provincial": "20.00"},
        actor=None,
    )

    log_in(page, live_server.url, "county_operator")
    menu = page.get_by_test_id("menu")
    assert "资金收支汇总" in menu.inner_text()
    menu.locator("a[href='/funds/reports/summary/national/']").click()
    page.wait_for_selector("[data-testid=summary-arrivals]")
    assert "资金收支汇总" in page.get_by_test_id("breadcrumbs").inner_text()
    arrivals = page.get_by_test_id("summary-arrivals")
    before = arrivals.inner_text()
    assert "300.00" in before and "320.00" in before
    assert page.get_by_test_id("confirm-receipt").count() == 1
    screenshot(page, "county-operator-summary-before-receipt")

    page.get_by_test_id("confirm-receipt").locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=summary-arrivals]")
    assert page.get_by_test_id("confirm-receipt").count() == 0
    after = page.get_by_test_id("summary-arrivals").inner_text()
    assert after != before  # the arrival dates of both levels are now filled in
    screenshot(page, "county-operator-summary-after-receipt")

    receipt = Receipt.objects.get(filing__unit__code="610112")
    assert receipt.arrival_date == timezone.localdate()
    assert receipt.confirmed_by.username == "county_operator"
    assert ledger_discrepancies() == []

    # the province's summary draws its charts under the CSP: ECharts' canvases, sized from
    # data-height by the static chart script
    log_in(page, live_server.url, "province_operator")
    page.goto(f"{live_server.url}/funds/reports/summary/national/")
    for chart, height in (("summary-levels-chart", 260), ("summary-sources-chart", 240)):
        canvas = page.locator(f"#{chart} canvas").first
        canvas.wait_for()
        assert canvas.bounding_box()["height"] == height
    screenshot(page, "province-operator-summary-charts")
    page.goto(f"{live_server.url}/funds/reports/progress/national/")
    for chart in ("progress-pie", "progress-bars"):
        canvas = page.locator(f"#{chart} canvas").first
        canvas.wait_for()
        assert canvas.bounding_box()["height"] >= 220
    screenshot(page, "province-operator-progress-charts")
