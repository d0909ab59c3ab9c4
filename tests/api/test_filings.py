"""Filings through the API: the same scope, services and guards as the pages."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.funds.factories import fill_document
from zizhu.api.models import IdempotencyKey
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.funds.models import Allocation, Filing
from zizhu.funds.services import filing_create


@pytest.fixture
def grant(db):
    # a transactional test on PostgreSQL starts from a flushed database: seed the catalogue
    seed_catalogue(AidProject)
    return AidProject.objects.get(code="vocational_national_grant")


@pytest.fixture
def filings(users, grant):
    """A national-aid filing of 2025 at the province, the prefecture, both counties and two
    schools."""
    made = {}
    for username in (
        "province_operator",
        "prefecture_operator",
        "county_operator",
        "neighbour_operator",
        "school_operator",
        "neighbour_school_operator",
    ):
        user = users[username]
        made[username] = filing_create(unit=user.unit, year=2025, project=grant, actor=user)
    return made


def _all_pages(api, value, path):
    rows, url = [], path
    while url:
        body = api(value, "get", url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_it_lists_the_filings_of_the_scope_only(token, api, filings):
    value = token("county_operator").value
    units = {row["unit"] for row in _all_pages(api, value, "/api/v1/filings/?page_size=1")}
    assert units == {"610112", "3661000001"}
    other = filings["neighbour_operator"]
    assert api(value, "get", f"/api/v1/filings/{other.pk}/").status_code == 404


def test_it_filters_in_the_database(token, api, filings):
    value = token("province_operator").value
    rows = api(value, "get", "/api/v1/filings/?unit=610111&year=2025&category=national").json()
    assert [r["unit"] for r in rows["results"]] == ["610111"]
    assert api(value, "get", "/api/v1/filings/?year=1999").status_code == 400
    assert api(value, "get", "/api/v1/filings/?status=nonsense").json()["error"]["fields"] == [
        {"path": "status", "message": "“nonsense” 不是允许的值之一。"}
    ]


def test_its_list_takes_the_same_number_of_queries_for_one_page_or_many_rows(
    token, api, filings, grant, users, django_assert_max_num_queries
):
    value = token("province_operator").value
    api(value, "get", "/api/v1/filings/")  # warm-up: content types, the token row

    def count():
        with django_assert_max_num_queries(50) as captured:
            assert api(value, "get", "/api/v1/filings/").status_code == 200
        return len(captured.captured_queries)

    few = count()
    more = AidProject.objects.filter(category="national").exclude(pk=grant.pk)[:5]
    for project in more:
        for username in ("county_operator", "neighbour_operator"):
            user = users[username]
            filing_create(unit=user.unit, year=2025, project=project, actor=user)
    assert count() == few


def test_an_operator_creates_edits_and_submits_its_filing(token, api, users, grant):
    value = token("county_operator").value
    created = api(value, "post", "/api/v1/filings/", {"year": 2025, "project": grant.code})
    assert created.status_code == 201, created.content
    pk, version = created.json()["id"], created.json()["version"]
    saved = api(
        value,
        "patch",
        f"/api/v1/filings/{pk}/",
        {"version": version, "doc_number": "未教〔2025〕1号", "own_funds": "1200.50"},
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["own_funds"] == "1200.50"
    stale = api(value, "patch", f"/api/v1/filings/{pk}/", {"version": version, "doc_title": "x"})
    assert stale.status_code == 409
    assert stale.json()["error"]["message"] == "该填报已被他人修改，请刷新后重新填写"
    refused = api(value, "post", f"/api/v1/filings/{pk}/submit/")
    assert refused.status_code == 400
    assert "请先填写" in refused.json()["error"]["message"]


def test_a_school_filing_goes_through_review(token, api, filings):
    filing = filings["school_operator"]
    operator, reviewer = token("school_operator").value, token("school_reviewer").value
    assert api(operator, "post", f"/api/v1/filings/{filing.pk}/approve/").status_code == 403
    assert api(operator, "post", f"/api/v1/filings/{filing.pk}/submit/").json()["status"] == (
        "pending"
    )
    missing = api(reviewer, "post", f"/api/v1/filings/{filing.pk}/return/", {})
    assert missing.json()["error"]["fields"][0]["path"] == "comment"
    returned = api(reviewer, "post", f"/api/v1/filings/{filing.pk}/return/", {"comment": "补材料"})
    assert returned.json()["status"] == "returned"


def test_an_allocation_moves_money_and_the_receiver_confirms_it(token, api, users, filings):
    county = fill_document(filings["county_operator"], users["county_operator"])
    Filing.objects.filter(pk=county.pk).update(own_funds=0)
    operator = token("county_operator").value
    saved = api(
        operator,
        "patch",
        f"/api/v1/filings/{county.pk}/",
        {"version": county.version, "own_funds": "5000.00"},
    )
    assert saved.status_code == 200, saved.content
    short = api(
        operator,
        "post",
        f"/api/v1/filings/{county.pk}/allocations/",
        {"target": "3661000001", "amounts": {"county": "9000.00"}},
    )
    assert short.status_code == 400 and "余额不足" in short.json()["error"]["message"]
    bad = api(
        operator,
        "post",
        f"/api/v1/filings/{county.pk}/allocations/",
        {"target": "3661000001", "amounts": {"county": "-1"}},
    )
    assert bad.json()["error"]["fields"][0]["path"] == "amounts.county"
    made = api(
        operator,
        "post",
        f"/api/v1/filings/{county.pk}/allocations/",
        {"target": "3661000001", "amounts": {"county": "3000.00"}},
    )
    assert made.status_code == 201, made.content
    assert made.json()["to_unit"] == "3661000001" and made.json()["total"] == "3000.00"
    school = filings["school_operator"]
    confirmed = api(
        token("school_operator").value,
        "post",
        f"/api/v1/filings/{school.pk}/receipt/",
        # the money cannot arrive before it was allocated (today)
        {"arrival_date": str(timezone.localdate())},
    )
    assert confirmed.status_code == 201, confirmed.content
    assert confirmed.json()["allocations"] == [made.json()["id"]]


def test_a_repeated_write_with_the_same_idempotency_key_writes_once(token, api, grant):
    value = token("county_operator").value
    body = {"year": 2025, "project": grant.code}
    first = api(value, "post", "/api/v1/filings/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api(value, "post", "/api/v1/filings/", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Filing.objects.filter(unit__code="610112").count() == 1
    other = api(
        value,
        "post",
        "/api/v1/filings/",
        {"year": 2024, "project": grant.code},
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 409


def test_a_failed_write_keeps_no_key(token, api, grant):
    value = token("county_operator").value
    refused = api(
        value,
        "post",
        "/api/v1/filings/",
        {"year": 1900, "project": grant.code},
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.filter(key="k-2").exists()
    fixed = api(
        value,
        "post",
        "/api/v1/filings/",
        {"year": 2025, "project": grant.code},
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert fixed.status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_allocations_with_one_key_move_money_once(users, filings_tx, token):
    """Two connections race with the same key: one allocation, both answers name it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): row locks")
    from django.test import Client

    county = filings_tx
    value = token("county_operator").value
    answers = []
    barrier = threading.Barrier(2)

    def post():
        barrier.wait()
        response = Client().post(
            f"/api/v1/filings/{county.pk}/allocations/",
            {"target": "3661000001", "amounts": {"county": "100.00"}},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {value}",
            HTTP_IDEMPOTENCY_KEY="race-1",
        )
        answers.append((response.status_code, response.json()))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Allocation.objects.count() == 1
    assert [code for code, _ in answers] == [201, 201]
    assert {body["id"] for _, body in answers} == {Allocation.objects.get().pk}


@pytest.fixture
def filings_tx(users, grant):
    from zizhu.funds.services import filing_update

    user = users["county_operator"]
    county = filing_create(unit=user.unit, year=2025, project=grant, actor=user)
    return filing_update(filing=county, version=county.version, actor=user, own_funds="500.00")
