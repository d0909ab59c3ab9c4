"""第二章 业务操作人员: the county operator's to-do, a national-aid filing, the receipt and the
correction of its arrival date, an allocation to a school and its reversal (directly, then by
request after the school's receipt), agreeing to the prefecture's reversal, a deadline, the
progress report and the review of an explanation; then the province's operator adds, edits,
retires and restores a local-aid project of the province's own."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.fixtures import log_in
from tests.funds.factories import PDF
from tests.manual.world import allocated_days_ago, findings, grant, money_to_the_county
from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Allocation, Filing
from zizhu.funds.services import allocation_create, receipt_confirm, reversal_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "operator"


def test_walk_operator(live_server, users, tree, page, shots, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # confirmations of irreversible acts
    url = live_server.url
    county = money_to_the_county(tree)
    prefecture = Filing.objects.get(unit=tree["610100"])
    twice = allocation_create(  # sent twice by mistake: the prefecture asks for it back later
        source=prefecture, target_unit=tree["610112"], amounts={"central": "8000"}, actor=None
    )
    allocated_days_ago(10)
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

    receipt = county.receipts.get()
    correct = page.get_by_test_id(f"correct-{receipt.pk}")
    correct.locator("input[name=arrival_date]").fill((today - timedelta(days=3)).isoformat())
    correct.locator("input[name=reason]").fill("按银行到账回单更正")
    shots(page, "operator-receipt-correction", f"[data-testid=correct-{receipt.pk}] button")
    correct.locator("button").click()
    assert "资金到位时间已更正。" in page.inner_text("main")
    corrections = page.get_by_test_id("receipts").inner_text()
    assert f"{today.isoformat()} → {(today - timedelta(days=3)).isoformat()}" in corrections

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

    wrong = Allocation.objects.get(to_filing__unit__code="3661000001")
    reverse = page.get_by_test_id(f"reverse-{wrong.pk}")
    reverse.locator("input[name=reason]").fill("接收学校选错，应为灞桥职教中心")
    shots(page, "operator-reversal", f"[data-testid=reverse-{wrong.pk}] button")
    reverse.locator("button").click()
    assert "该笔下拨已冲销。" in page.inner_text("main")
    assert "冲销记录" in page.get_by_test_id("allocations").inner_text()

    allocation = page.get_by_test_id("allocation-form")
    allocation.locator("select[name=target]").select_option("3661000001")
    allocation.locator("input[name=central]").fill("46000")
    allocation.locator("button[type=submit]").click()
    assert "资金已下拨。" in page.inner_text("main")
    confirmed = Allocation.objects.filter(to_filing__unit__code="3661000001").latest("pk")
    receipt_confirm(filing=confirmed.to_filing, arrival_date=today, actor=None)  # the school
    page.reload()
    request = page.get_by_test_id(f"reverse-{confirmed.pk}")
    request.locator("input[name=reason]").fill("金额填错")
    shots(page, "operator-reversal-request", f"[data-testid=reverse-{confirmed.pk}] button")
    request.locator("button").click()
    assert "已提出冲销申请，待接收单位同意。" in page.inner_text("main")
    assert "已申请冲销，待接收单位同意" in page.get_by_test_id("allocations").inner_text()

    reversal_request(allocation=twice, reason="重复下拨", actor=users["prefecture_operator"])
    page.goto(f"{url}/")
    page.get_by_test_id("todo-lines").locator("tr", has_text="待同意的冲销申请").locator(
        "a"
    ).click()
    page.get_by_test_id("filings").locator("tbody a").first.click()
    agree = "[data-testid=incoming] button:text-is('同意冲销')"
    shots(page, "operator-reversal-agree", agree)
    page.click(agree)
    assert "已同意，该笔下拨已冲销。" in page.inner_text("main")

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

    log_in(page, url, "province_operator")
    page.get_by_test_id("menu").locator("a[href='/funds/catalogue/local/']").click()
    new = page.get_by_test_id("local-project-form")
    new.locator("input[name=name]").fill("中职学生交通补助")
    new.locator("select[name=stage]").select_option("vocational")
    new.locator("input[name=standard_amount]").fill("800")
    new.locator("input[name=source]").fill("陕教资〔2026〕3号")
    shots(page, "operator-local-projects-add", "[data-testid=local-project-form] button")
    new.locator("button[type=submit]").click()
    assert "地方资助项目已添加。" in page.inner_text("main")
    project = AidProject.objects.get(name="中职学生交通补助")
    row = f"[data-testid=local-project-{project.pk}]"
    assert "使用中" in page.inner_text(row)

    page.locator(row).get_by_role("link", name="修改").click()
    edit = page.get_by_test_id("local-project-edit")
    edit.locator("input[name=standard_amount]").fill("1000")
    edit.locator("input[name=note]").fill("按学期发放")
    shots(page, "operator-local-project-edit", "[data-testid=local-project-edit] button")
    edit.locator("button[type=submit]").click()
    assert "地方资助项目已保存。" in page.inner_text("main")
    assert "1,000.00" in page.inner_text(row)

    page.locator(row).get_by_role("button", name="停用").click()  # the browser asks first
    assert "地方资助项目已停用。" in page.inner_text("main")
    assert "已停用" in page.inner_text(row)
    shots(page, "operator-local-projects-retired", f"{row} button")
    page.locator(row).get_by_role("button", name="恢复使用").click()
    assert "地方资助项目已恢复使用。" in page.inner_text("main")
    assert "使用中" in page.inner_text(row)
