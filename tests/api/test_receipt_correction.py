"""更正资金到位时间 through the API: the receiving unit's operator corrects a confirmed
receipt's arrival date with a reason, by the page's lookup, policy and service (docs/adr/0010)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.funds.factories import backdate_allocations
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.funds.models import Receipt, ReceiptCorrection
from zizhu.funds.services import allocation_create, filing_create, filing_update, receipt_confirm


@pytest.fixture
def receipt(users) -> Receipt:
    """County 610112 allocated 100.00 to its school 3661000001 on 2025-01-02; the school
    confirmed the money arrived on 2025-03-01."""
    seed_catalogue(AidProject)
    grant = AidProject.objects.get(code="vocational_national_grant")
    operator = users["county_operator"]
    county = filing_create(unit=operator.unit, year=2025, project=grant, actor=operator)
    county = filing_update(filing=county, version=county.version, actor=operator, own_funds="500")
    allocation = allocation_create(
        source=county,
        target_unit=users["school_operator"].unit,
        amounts={"county": Decimal("100.00")},
        actor=operator,
    )
    backdate_allocations()
    return receipt_confirm(filing=allocation.to_filing, arrival_date=date(2025, 3, 1), actor=None)


def path(receipt) -> str:
    return f"/api/v1/receipts/{receipt.pk}/correct/"


def test_the_receiver_corrects_the_arrival_date(token, api, receipt):
    value = token("school_operator").value
    missing = api(value, "post", path(receipt), {"arrival_date": "2025-03-05"})
    assert missing.status_code == 400
    assert [f["path"] for f in missing.json()["error"]["fields"]] == ["reason"]
    done = api(
        value, "post", path(receipt), {"arrival_date": "2025-03-05", "reason": "银行回单日期"}
    )
    assert done.status_code == 200, done.content
    assert done.json()["id"] == receipt.pk and done.json()["arrival_date"] == "2025-03-05"
    receipt.refresh_from_db()
    assert receipt.arrival_date == date(2025, 3, 5)
    correction = ReceiptCorrection.objects.get(receipt=receipt)
    assert (correction.old_date, correction.new_date) == (date(2025, 3, 1), date(2025, 3, 5))
    assert correction.reason == "银行回单日期"
    assert correction.corrected_by.username == "school_operator"
    event = AuditEvent.objects.get(action="funds.receipt_correct")
    assert event.detail["from"] == "2025-03-01" and event.detail["to"] == "2025-03-05"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (date(2025, 1, 1), "资金到位时间不能早于下拨日期 2025-01-02"),
        (timezone.localdate() + timedelta(days=1), "资金到位时间不能晚于今天"),
        (date(2025, 3, 1), "更正后的资金到位时间与原时间相同"),
    ],
)
def test_a_bad_date_is_refused_in_chinese_on_its_field(token, api, receipt, day, message):
    value = token("school_operator").value
    refused = api(value, "post", path(receipt), {"arrival_date": str(day), "reason": "x"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid"
    assert refused.json()["error"]["message"] == "请求数据有误。"
    assert refused.json()["error"]["fields"] == [{"path": "arrival_date", "message": message}]
    receipt.refresh_from_db()
    assert receipt.arrival_date == date(2025, 3, 1)
    assert not ReceiptCorrection.objects.exists()


def test_only_the_receivers_operator_corrects(token, api, receipt):
    body = {"arrival_date": "2025-03-05", "reason": "x"}
    sender = api(token("county_operator").value, "post", path(receipt), body)
    assert sender.status_code == 403
    assert sender.json()["error"]["message"] == "您无权执行此操作。"
    assert AuditEvent.objects.filter(action="access.denied").exists()
    outside = api(token("neighbour_operator").value, "post", path(receipt), body)
    assert outside.status_code == 404
    other_school = api(token("neighbour_school_operator").value, "post", path(receipt), body)
    assert other_school.status_code == 404
    receipt.refresh_from_db()
    assert receipt.arrival_date == date(2025, 3, 1)
    assert not ReceiptCorrection.objects.exists()


def test_a_repeated_idempotency_key_writes_one_correction(token, api, receipt):
    value = token("school_operator").value
    body = {"arrival_date": "2025-03-05", "reason": "银行回单日期"}
    first = api(value, "post", path(receipt), body, HTTP_IDEMPOTENCY_KEY="corr-1")
    again = api(value, "post", path(receipt), body, HTTP_IDEMPOTENCY_KEY="corr-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ReceiptCorrection.objects.filter(receipt=receipt).count() == 1
    assert AuditEvent.objects.filter(action="funds.receipt_correct").count() == 1
