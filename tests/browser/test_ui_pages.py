"""The changed pages in a browser at 1440 and 1024 px (screenshots in test-output/ui-*.png, to
be looked at): the error pages, the voucher lists, the filing details, the summary, the
findings, a list and a refused import. Also what only a browser shows: a confirmation that is
declined sends nothing, and a click on a column header sorts the table."""

import pytest

from tests.browser.fixtures import log_in
from tests.exports.world import build
from zizhu.anomalies.models import Explanation, Finding
from zizhu.jobs.models import Job
from zizhu.recipients.models import RecipientList

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTHS = (1440, 1024)


@pytest.fixture(autouse=True)
def _deletable_findings():
    """Findings point at list rows without a constraint the flush after the test knows of."""
    yield
    Explanation.objects.all().delete()
    Finding.objects.all().delete()


def shots(page, screenshot, url, name):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        screenshot(page, f"ui-{name}-{width}")
    return response


def test_the_changed_pages_at_two_widths(live_server, users, tree, page, screenshot):
    ids = build(users, tree)
    job = Job.objects.get(pk=ids["job"])
    base = live_server.url
    log_in(page, base, "county_operator")
    assert shots(page, screenshot, f"{base}/no-such-page/", "404").status == 404
    assert "页面不存在" in page.inner_text("main")
    shots(page, screenshot, f"{base}/funds/reports/vouchers/?year=2025", "vouchers-authority")
    assert "345,726,800.00 元" in page.inner_text("main")
    shots(page, screenshot, f"{base}/funds/reports/details/national/", "details")
    shots(page, screenshot, f"{base}/funds/reports/summary/national/?year=2025", "summary")
    shots(page, screenshot, f"{base}/funds/reports/progress/national/?year=2025", "progress")
    shots(page, screenshot, f"{base}/anomalies/national-grant/", "findings")

    log_in(page, base, "school_operator")
    shots(page, screenshot, f"{base}/funds/vouchers/", "vouchers-school")
    assert page.get_by_test_id("delete").is_visible()
    shots(page, screenshot, f"{base}/jobs/{job.pk}/", "job-refused")
    assert "未写入" in page.inner_text("main")
    assert shots(page, screenshot, f"{base}/audit/", "403").status == 403

    RecipientList.objects.filter(pk=ids["list"]).update(status="submitted")
    log_in(page, base, "school_reviewer")
    shots(page, screenshot, f"{base}/recipients/{ids['list']}/", "list-review")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_timeout(300)
    assert RecipientList.objects.get(pk=ids["list"]).status == "submitted"  # declined
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert "名单已审核通过" in page.inner_text("main")
    screenshot(page, "ui-list-approved")


def test_a_click_on_a_column_header_sorts_the_table(live_server, users, tree, page):
    build(users, tree)
    log_in(page, live_server.url, "province_operator")
    page.goto(f"{live_server.url}/funds/reports/details/national/")
    table = page.get_by_test_id("filings")
    header = table.locator("thead th").nth(0)
    header.click()
    first = [c.strip() for c in table.locator("tbody tr td:first-child").all_inner_texts()]
    assert first[0].startswith("灞桥区")  # in pinyin order (ba … xi), as people sort Chinese
    header.click()
    again = [c.strip() for c in table.locator("tbody tr td:first-child").all_inner_texts()]
    assert again == list(reversed(first))


def test_a_row_is_deleted_from_a_list_only_once_confirmed(live_server, users, tree, page):
    ids = build(users, tree)
    RecipientList.objects.filter(pk=ids["list"]).update(status="draft")
    rows = RecipientList.objects.get(pk=ids["list"]).rows
    before = rows.count()
    log_in(page, live_server.url, "school_operator")
    page.goto(f"{live_server.url}/recipients/{ids['list']}/")
    asked = []

    def decline(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="删除").first.click()
    page.wait_for_timeout(300)
    assert asked == ["确定从名单中删除该学生吗？"]
    assert rows.count() == before  # declined: nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除").first.click()
    page.wait_for_load_state()
    assert rows.count() == before - 1
