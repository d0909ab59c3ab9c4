"""第五章 学校业务操作人员: the to-do, confirming receipt and correcting its arrival date,
agreeing to the county's reversal, a voucher, a recipient list (with errors, then right)
submitted for review, and the explanation of a finding."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.fixtures import log_in
from tests.funds.factories import png
from tests.manual.world import (
    allocated_days_ago,
    findings,
    grant,
    list_file,
    money_to_the_school,
)
from zizhu.funds.models import Filing
from zizhu.funds.services import allocation_create, reversal_request
from zizhu.recipients.models import RecipientList, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAPTER = "school-operator"


def test_walk_school_operator(live_server, users, tree, page, shots, tmp_path):
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # confirmations of irreversible acts
    school = money_to_the_school(tree)
    extra = allocation_create(  # too much: the county asks for it back once it is confirmed
        source=Filing.objects.get(unit=tree["610112"]),
        target_unit=tree["3661000001"],
        amounts={"central": "2000"},
        actor=None,
    )
    allocated_days_ago(10)
    _explained, open_finding = findings(users)
    today = timezone.localdate()

    log_in(page, url, "school_operator")
    todo = page.get_by_test_id("todo").inner_text()
    assert "资金已下拨，待确认收到（国家资助）" in todo
    assert "待说明的异常信息" in todo
    shots(page, "school-operator-home", "[data-testid=todo-lines]")

    page.get_by_test_id("menu").locator("a[href='/funds/filing/national/']").click()
    page.get_by_test_id("filings").locator("tbody a").first.click()
    page.fill("[data-testid=receipt-form] input[name=arrival_date]", today.isoformat())
    shots(page, "school-operator-receipt", "[data-testid=receipt-form] button")
    page.get_by_test_id("receipt-form").locator("button").click()
    assert "已确认收到资金。" in page.inner_text("main")

    receipt = school.receipts.get()
    arrived = (today - timedelta(days=2)).isoformat()
    correct = page.get_by_test_id(f"correct-{receipt.pk}")
    correct.locator("input[name=arrival_date]").fill(arrived)
    correct.locator("input[name=reason]").fill("按银行回单更正")
    shots(page, "school-operator-receipt-correction", f"[data-testid=correct-{receipt.pk}] button")
    correct.locator("button").click()
    assert "资金到位时间已更正。" in page.inner_text("main")
    assert f"{today.isoformat()} → {arrived}" in page.get_by_test_id("receipts").inner_text()

    reversal_request(allocation=extra, reason="多拨 2,000.00 元", actor=users["county_operator"])
    page.goto(f"{url}/")
    todo = page.get_by_test_id("todo-lines")
    todo.locator("tr", has_text="待同意的冲销申请").locator("a").click()
    page.get_by_test_id("filings").locator("tbody a").first.click()
    agree = "[data-testid=incoming] button:text-is('同意冲销')"
    shots(page, "school-operator-reversal", agree, "[data-testid=incoming] input[name=note]")
    page.click(agree)
    assert "已同意，该笔下拨已冲销。" in page.inner_text("main")

    page.goto(f"{url}/funds/vouchers/new/")
    page.fill("input[name=year]", str(today.year))
    page.select_option("select[name=project]", grant().code)
    page.fill("input[name=students]", "40")
    page.fill("input[name=amount]", "46000")
    page.fill("input[name=note]", "秋季学期第一批")
    scan = tmp_path / "支付凭证.png"
    scan.write_bytes(png())
    page.set_input_files("input[type=file]", str(scan))
    shots(page, "school-operator-voucher", "main form button[type=submit]")
    page.click("main form button[type=submit]")
    assert "支付凭证已保存。" in page.inner_text("main")

    for broken in (True, False):
        page.goto(f"{url}/recipients/upload/")
        page.select_option("select[name=project]", "vocational_national_grant")
        page.fill("input[name=year]", "2025")
        page.select_option("select[name=term]", "autumn")
        page.set_input_files("input[name=file]", list_file(tmp_path, broken=broken))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_url("**/jobs/**")
        if broken:
            problems = page.get_by_test_id("job-problems")
            assert problems.locator("tbody tr").count() == 3
            shots(page, "school-operator-upload-errors", "[data-testid=job-problems]")
    assert RecipientList.objects.get().status == Status.DRAFT

    page.goto(f"{url}/recipients/")
    page.get_by_test_id("recipient-lists").get_by_role("link", name="中职国家助学金").click()
    submit = page.get_by_role("button", name="提交审核")
    shots(page, "school-operator-list", "button:text-is('提交审核')")
    submit.click()
    page.wait_for_load_state()
    assert RecipientList.objects.get().status == Status.SUBMITTED

    page.goto(f"{url}/anomalies/national-grant/{open_finding.pk}/")
    form = page.get_by_test_id("explain-form")
    form.locator("input[value=true]").check()
    form.locator("textarea").fill("该生确为 20 周岁，属实，按政策继续资助。")
    shots(page, "school-operator-explain", "[data-testid=explain-form] button[type=submit]")
    form.locator("button[type=submit]").click()
    assert "核查说明已提交。" in page.inner_text("main")
