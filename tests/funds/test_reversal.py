"""Money is corrected, never erased (docs/adr/0010): a reversal (冲销) writes a counter-entry
through the ledger, restores the balances, shows in the reports and keeps the reconciliation
empty; after the receipt only with the receiver's agreement; arrival dates are corrected with
a reason; all audited."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.conftest import login_as
from tests.funds.factories import backdate_allocations
from tests.web.html_forms import form_with
from zizhu.audit.models import AuditEvent
from zizhu.fundreports.rollups import rollup_discrepancies
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Allocation, Balance, Filing, ReversalStatus, SourceLevel
from zizhu.funds.services import (
    allocation_create,
    allocation_reverse,
    filing_create,
    receipt_confirm,
    receipt_correct,
    reversal_agree,
    reversal_decline,
    reversal_request,
)
from zizhu.funds.todo import funds_todo

from .conftest import YEAR

P = SourceLevel.PROVINCIAL
D = Decimal


@pytest.fixture
def sent(tree, grant, users):
    """Province 610000 allocated 120.00 provincial funds to prefecture 610100."""
    province = filing_create(
        unit=tree["610000"], year=YEAR, project=grant, own_funds=D("500.00"), actor=None
    )
    allocation = allocation_create(
        source=province, target_unit=tree["610100"], amounts={P: D("120.00")}, actor=None
    )
    backdate_allocations()
    return Allocation.objects.get(pk=allocation.pk)


def balance(unit_code: str) -> Balance:
    return Balance.objects.get(filing__unit__code=unit_code, source_level=P)


def books_balance() -> None:
    assert ledger_discrepancies() == []
    assert rollup_discrepancies() == []


def test_the_sender_reverses_an_unconfirmed_allocation_by_a_counter_entry(sent, users):
    counter = allocation_reverse(
        allocation=sent, reason="金额填错", actor=users["province_operator"]
    )
    assert counter.reverses == sent and counter.provincial == D("-120.00")
    assert Allocation.objects.count() == 2  # nothing erased
    assert balance("610000").allocated_out == 0 and balance("610100").received == 0
    books_balance()
    event = AuditEvent.objects.get(action="funds.allocation_reverse")
    assert event.detail["reverses"] == sent.pk and event.detail["reason"] == "金额填错"
    # reversed before the receipt: nothing waits for confirmation any more
    prefecture = Filing.objects.get(unit__code="610100")
    with pytest.raises(ValidationError, match="没有待确认"):
        receipt_confirm(filing=prefecture, arrival_date=date(2025, 3, 1), actor=None)
    with pytest.raises(ValidationError, match="已冲销"):
        allocation_reverse(allocation=sent, reason="again", actor=users["province_operator"])
    with pytest.raises(ValidationError, match="不能再冲销"):
        allocation_reverse(allocation=counter, reason="x", actor=None)


def test_only_the_senders_operator_reverses(sent, users):
    for name in ("prefecture_operator", "county_operator", "neighbour_operator"):
        with pytest.raises(PermissionDenied):
            allocation_reverse(allocation=sent, reason="x", actor=users[name])
    with pytest.raises(ValidationError, match="原因"):
        allocation_reverse(allocation=sent, reason=" ", actor=users["province_operator"])
    assert Allocation.objects.count() == 1


def test_after_the_receipt_the_receiver_must_agree(sent, users):
    prefecture = Filing.objects.get(unit__code="610100")
    receipt_confirm(filing=prefecture, arrival_date=date(2025, 3, 1), actor=None)
    sender, receiver = users["province_operator"], users["prefecture_operator"]
    with pytest.raises(ValidationError, match="需经对方同意"):
        allocation_reverse(allocation=sent, reason="错拨", actor=sender)
    request = reversal_request(allocation=sent, reason="错拨", actor=sender)
    assert request.status == ReversalStatus.PENDING
    assert balance("610100").received == D("120.00")  # nothing moves before the agreement
    with pytest.raises(ValidationError, match="已有待对方同意"):
        reversal_request(allocation=sent, reason="again", actor=sender)
    with pytest.raises(PermissionDenied):
        reversal_agree(request=request, actor=sender)
    # the receiver's to-do names the request
    lines = [line.label for line in funds_todo(receiver)]
    assert any("冲销" in str(label) for label in lines), lines
    counter = reversal_agree(request=request, actor=receiver)
    request.refresh_from_db()
    assert request.status == ReversalStatus.AGREED and request.decided_by == receiver
    assert counter.receipt_id == Allocation.objects.get(pk=sent.pk).receipt_id is not None
    assert balance("610000").allocated_out == 0 and balance("610100").received == 0
    books_balance()
    assert reversal_agree(request=request, actor=receiver) == counter  # agreeing twice
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"funds.reversal_request", "funds.reversal_agree", "funds.allocation_reverse"} <= actions


def test_the_receiver_may_decline(sent, users):
    receipt_confirm(
        filing=Filing.objects.get(unit__code="610100"), arrival_date=date(2025, 3, 1), actor=None
    )
    request = reversal_request(allocation=sent, reason="错拨", actor=users["province_operator"])
    with pytest.raises(ValidationError, match="理由"):
        reversal_decline(request=request, note="", actor=users["prefecture_operator"])
    reversal_decline(request=request, note="资金已使用", actor=users["prefecture_operator"])
    request.refresh_from_db()
    assert request.status == ReversalStatus.DECLINED
    assert Allocation.objects.count() == 1 and balance("610100").received == D("120.00")
    assert AuditEvent.objects.filter(action="funds.reversal_decline").exists()


def test_a_reversal_is_refused_once_the_receiver_allocated_the_money_on(sent, tree, users):
    prefecture = Filing.objects.get(unit__code="610100")
    allocation_create(
        source=prefecture, target_unit=tree["610112"], amounts={P: D("100.00")}, actor=None
    )
    with pytest.raises(ValidationError, match="继续下拨"):
        allocation_reverse(allocation=sent, reason="错拨", actor=users["province_operator"])
    assert Allocation.objects.count() == 2 and balance("610100").received == D("120.00")
    books_balance()


def test_arrival_dates_before_the_allocation_or_in_the_future_are_refused(sent, users):
    prefecture = Filing.objects.get(unit__code="610100")
    with pytest.raises(ValidationError, match="早于下拨日期"):
        receipt_confirm(filing=prefecture, arrival_date=date(1900, 1, 1), actor=None)
    with pytest.raises(ValidationError, match="晚于今天"):
        receipt_confirm(
            filing=prefecture, arrival_date=timezone.localdate() + timedelta(days=1), actor=None
        )
    receipt = receipt_confirm(filing=prefecture, arrival_date=date(2025, 3, 1), actor=None)
    operator = users["prefecture_operator"]
    with pytest.raises(ValidationError, match="早于下拨日期"):
        receipt_correct(receipt=receipt, arrival_date=date(2024, 1, 1), reason="x", actor=operator)
    with pytest.raises(PermissionDenied):
        receipt_correct(
            receipt=receipt,
            arrival_date=date(2025, 3, 2),
            reason="x",
            actor=users["province_operator"],
        )
    correction = receipt_correct(
        receipt=receipt, arrival_date=date(2025, 3, 5), reason="银行回单日期", actor=operator
    )
    receipt.refresh_from_db()
    assert receipt.arrival_date == date(2025, 3, 5)
    assert (correction.old_date, correction.new_date) == (date(2025, 3, 1), date(2025, 3, 5))
    event = AuditEvent.objects.get(action="funds.receipt_correct")
    assert event.detail["from"] == "2025-03-01" and event.detail["to"] == "2025-03-05"


def test_the_pages_reverse_request_agree_and_correct(client, sent, users):
    sender, receiver = users["province_operator"], users["prefecture_operator"]
    login_as(client, sender)
    url = f"/funds/filings/{sent.from_filing_id}/allocations/"
    form = form_with(client.get(url).content.decode(), testid=f"reverse-{sent.pk}")
    data = form.post_data() | {"reason": "错拨"}
    first = client.post(f"/funds/allocations/{sent.pk}/reverse/", data)
    second = client.post(f"/funds/allocations/{sent.pk}/reverse/", data)
    assert first["Location"] == second["Location"] == f"{url}#allocation-{sent.pk}"
    assert Allocation.objects.filter(reverses=sent).count() == 1
    page = client.get(url).content.decode()
    assert "-120.00" in page and "冲销记录" in page
    # the reversed allocation no longer waits for a receipt
    row = re.search(rf'<tr id="allocation-{sent.pk}".*?</tr>', page, re.S).group()
    assert "已冲销" in row and "未确认" not in row

    # a confirmed one: request, then the receiver agrees on its filing page
    again = allocation_create(
        source=sent.from_filing, target_unit=sent.to_filing.unit, amounts={P: D("50")}, actor=None
    )
    backdate_allocations()
    prefecture = Filing.objects.get(unit__code="610100")
    receipt = receipt_confirm(filing=prefecture, arrival_date=date(2025, 3, 1), actor=None)
    form = form_with(client.get(url).content.decode(), testid=f"reverse-{again.pk}")
    client.post(f"/funds/allocations/{again.pk}/reverse/", form.post_data() | {"reason": "错拨"})
    login_as(client, receiver)
    page = client.get(f"/funds/filings/{prefecture.pk}/").content.decode()
    request = again.reversal_requests.get()
    assert f'data-testid="reversal-request-{request.pk}"' in page
    agree = next(f for f in _forms(page) if f.attrs.get("action", "").endswith("/agree/"))
    assert client.post(agree.attrs["action"], agree.post_data()).status_code == 302
    assert balance("610100").received == 0 and balance("610000").allocated_out == 0
    # the correction of the arrival date on the same page
    form = form_with(page, testid=f"correct-{receipt.pk}")
    data = form.post_data() | {"arrival_date": "2025-03-04", "reason": "回单日期"}
    response = client.post(f"/funds/receipts/{receipt.pk}/correct/", data)
    assert response["Location"].endswith(f"#receipt-{receipt.pk}")
    receipt.refresh_from_db()
    assert receipt.arrival_date == date(2025, 3, 4)
    books_balance()


def _forms(html):
    from tests.web.html_forms import forms_of  # noqa: PLC0415

    return forms_of(html)
