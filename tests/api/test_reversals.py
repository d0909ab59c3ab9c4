"""冲销 through the API: the pages' lookups, policy and services (docs/adr/0010) — before the
receipt the sender reverses directly, afterwards the receiver agrees or declines."""

from decimal import Decimal

import pytest
from django.utils import timezone

from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.funds.models import Allocation, Balance, ReversalRequest, ReversalStatus
from zizhu.funds.services import allocation_create, filing_create, filing_update, receipt_confirm


@pytest.fixture
def allocation(users):
    """County 610112 (500.00 of own funds) allocated 100.00 to its school 3661000001."""
    seed_catalogue(AidProject)
    grant = AidProject.objects.get(code="vocational_national_grant")
    operator = users["county_operator"]
    county = filing_create(unit=operator.unit, year=2025, project=grant, actor=operator)
    county = filing_update(filing=county, version=county.version, actor=operator, own_funds="500")
    return allocation_create(
        source=county,
        target_unit=users["school_operator"].unit,
        amounts={"county": Decimal("100.00")},
        actor=operator,
    )


def confirmed(allocation):
    receipt_confirm(filing=allocation.to_filing, arrival_date=timezone.localdate(), actor=None)
    return allocation


def county_balance(allocation) -> Balance:
    return Balance.objects.get(filing=allocation.from_filing, source_level="county")


def reverse_path(allocation) -> str:
    return f"/api/v1/allocations/{allocation.pk}/reverse/"


def test_the_sender_reverses_an_unconfirmed_allocation(token, api, allocation):
    value = token("county_operator").value
    missing = api(value, "post", reverse_path(allocation), {})
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"][0]["path"] == "reason"
    done = api(value, "post", reverse_path(allocation), {"reason": "错拨学校"})
    assert done.status_code == 200, done.content
    counter = Allocation.objects.get(reverses=allocation)
    assert done.json()["reversal"] == counter.pk and done.json()["pending_request"] is None
    assert counter.county == Decimal("-100.00") and counter.reason == "错拨学校"
    assert county_balance(allocation).allocated_out == 0
    assert AuditEvent.objects.filter(action="funds.allocation_reverse").count() == 1
    again = api(value, "post", reverse_path(allocation), {"reason": "错拨学校"})
    assert again.status_code == 400
    assert again.json()["error"]["message"] == "该笔下拨已冲销"
    listed = api(value, "get", f"/api/v1/filings/{allocation.from_filing_id}/allocations/")
    assert {row["reverses"] for row in listed.json()["results"]} == {None, allocation.pk}


def test_a_confirmed_allocation_is_reversed_when_the_receiver_agrees(token, api, allocation):
    confirmed(allocation)
    asked = api(
        token("county_operator").value, "post", reverse_path(allocation), {"reason": "多拨"}
    )
    assert asked.status_code == 200, asked.content
    pending = asked.json()["pending_request"]
    assert asked.json()["reversal"] is None and pending["reason"] == "多拨"
    school = token("school_operator").value
    incoming = api(
        school, "get", f"/api/v1/filings/{allocation.to_filing_id}/allocations/?direction=in"
    )
    assert incoming.json()["results"][0]["pending_request"]["id"] == pending["id"]
    agreed = api(school, "post", f"/api/v1/reversal-requests/{pending['id']}/agree/")
    assert agreed.status_code == 200, agreed.content
    counter = Allocation.objects.get(reverses=allocation)
    assert agreed.json()["status"] == ReversalStatus.AGREED
    assert agreed.json()["counter_entry"] == counter.pk
    assert county_balance(allocation).allocated_out == 0
    twice = api(school, "post", f"/api/v1/reversal-requests/{pending['id']}/agree/")
    assert twice.status_code == 200 and twice.json()["counter_entry"] == counter.pk
    assert Allocation.objects.filter(reverses=allocation).count() == 1


def test_the_receiver_declines_saying_why(token, api, allocation):
    confirmed(allocation)
    api(token("county_operator").value, "post", reverse_path(allocation), {"reason": "多拨"})
    request = ReversalRequest.objects.get(allocation=allocation)
    school = token("school_operator").value
    path = f"/api/v1/reversal-requests/{request.pk}/decline/"
    assert api(school, "post", path, {}).json()["error"]["fields"][0]["path"] == "note"
    declined = api(school, "post", path, {"note": "已发放给学生"})
    assert declined.status_code == 200, declined.content
    assert declined.json()["status"] == ReversalStatus.DECLINED
    assert declined.json()["decision_note"] == "已发放给学生"
    assert not Allocation.objects.filter(reverses=allocation).exists()
    late = api(school, "post", f"/api/v1/reversal-requests/{request.pk}/agree/")
    assert late.status_code == 400 and late.json()["error"]["message"] == "该冲销申请已处理"


def test_only_the_sender_reverses_and_only_the_receiver_decides(token, api, allocation):
    above = api(
        token("prefecture_operator").value, "post", reverse_path(allocation), {"reason": "x"}
    )
    assert above.status_code == 403
    assert above.json()["error"] == {
        "code": "permission_denied",
        "message": "您无权执行此操作。",
        "fields": [],
    }
    outside = api(
        token("neighbour_operator").value, "post", reverse_path(allocation), {"reason": "x"}
    )
    assert outside.status_code == 404
    confirmed(allocation)
    api(token("county_operator").value, "post", reverse_path(allocation), {"reason": "多拨"})
    request = ReversalRequest.objects.get(allocation=allocation)
    path = f"/api/v1/reversal-requests/{request.pk}/agree/"
    assert api(token("county_operator").value, "post", path).status_code == 403
    assert api(token("neighbour_school_operator").value, "post", path).status_code == 404
    assert not Allocation.objects.filter(reverses=allocation).exists()


def test_a_repeated_reversal_with_the_same_idempotency_key_writes_once(token, api, allocation):
    value = token("county_operator").value
    body = {"reason": "错拨"}
    first = api(value, "post", reverse_path(allocation), body, HTTP_IDEMPOTENCY_KEY="rev-1")
    again = api(value, "post", reverse_path(allocation), body, HTTP_IDEMPOTENCY_KEY="rev-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Allocation.objects.filter(reverses=allocation).count() == 1
