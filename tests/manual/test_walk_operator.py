"""第二章 业务操作人员: the county operator's to-do, a national-aid filing, the receipt, an
allocation to a school, a deadline, the progress report and the review of an explanation."""

import pytest
from django.utils import timezone

from tests.browser.fixtures import log_in
from tests.funds.factories import PDF
from tests.manual.world import findings, grant, money_to_the_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "operator"


def test_walk_operator(live_server, users, tree, page, shots, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # confirmations of irreversible acts
    url = live_server.url
    money_to_the_county(tree)
    explained, _open = findings(users)
    today = timezone.localdate()

    log_in(page, url, "county_operator")
    todo = page.get_by_test_id("todo").inner_text()
    assert "资金已下拨，待确认收到（国家资助）" in todo
    assert "待审核的异常信息说明" in todo
    shots(page, "operator-home", "[data-testid=todo-lines]")

    page.get_by_test_id("menu").locator("a[href='/funds/filing/national/']").click()
    shots(page, "operator-filing-list", "[data-testid=new-filing]")

    page.get_by_test_id("filings").locator("tbody a").first.click()
    page.fill("[data-testid=receipt-form] input[name=arrival_date]", today.isoformat())
    page.get_by_test_id("receipt-form").locator("button").click()
    assert "已确认收到资金。" in page.inner_text("main")

    form = page.get_by_test_id("filing-form")
    form.locator("input[name=doc_number]").fill("未教资〔2026〕12号")
    form.locator("input[name=doc_date]").fill(today.isoformat())
    form.locator("input[name=doc_title]").fill("关于下达中职国家助学金的通知")
    form.locator("input[name=own_funds]").fill("20000")
    document = tmp_path / "通知.pdf"
    document.write_bytes(PDF)
    form.locator("input[name=document]").set_input_files(str(document))
    form.locator("button[type=submit]").click()
    assert "填报已保存。" in page.inner_text("main")
    submit = ".actions button:text-is('提交')"
    shots(page, "operator-filing-edit", submit, "[data-testid=filing-form]")
    page.click(submit)
    assert "填报已提交。" in page.inner_text("main")

    page.locator(".actions a.button").click()  # 下拨
    allocation = page.get_by_test_id("allocation-form")
    allocation.locator("select[name=target]").select_option("3661000001")
    allocation.locator("input[name=central]").fill("50000")
    shots(page, "operator-allocation", "[data-testid=allocation-form] button[type=submit]")
    allocation.locator("button[type=submit]").click()
    assert "资金已下拨。" in page.inner_text("main")

    page.goto(f"{url}/funds/deadlines/")
    page.fill("input[name=year]", str(today.year))
    page.select_option("select[name=project]", str(grant().pk))
    page.fill("input[name=due_at]", f"{today.year}-12-31T18:00")
    shots(page, "operator-deadlines", "main form button[type=submit]")
    page.click("main form button[type=submit]")
    assert "截止时间已保存。" in page.inner_text("main")

    page.goto(f"{url}/funds/reports/progress/national/")
    shots(page, "operator-progress", full_page=True)

    page.goto(f"{url}/anomalies/national-grant/{explained.pk}/")
    review = page.get_by_test_id("review-form")
    review.locator("input[value=accepted]").check()
    review.locator("textarea").fill("情况属实，同意。")
    shots(page, "operator-finding-review", "[data-testid=review-form] button[type=submit]")
    review.locator("button[type=submit]").click()
    assert "审核结果已保存。" in page.inner_text("main")
