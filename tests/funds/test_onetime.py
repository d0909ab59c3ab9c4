"""No duplicate money rows: every money-moving form carries a one-time key held by a UNIQUE
constraint; a second POST of the same form, in sequence or racing, writes nothing and leads
to the one row (docs/adr/0009)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client

from tests.conftest import login_as
from tests.funds.factories import backdate_allocations
from tests.web.html_forms import form_with
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Allocation, Balance, Filing, Receipt, SourceLevel
from zizhu.funds.services import allocation_create, filing_create

from .conftest import YEAR

P = SourceLevel.PROVINCIAL
D = Decimal


@pytest.fixture
def province(tree, grant, users):
    return filing_create(
        unit=tree["610000"], year=YEAR, project=grant, own_funds=D("500.00"), actor=None
    )


def allocation_form(client, filing) -> tuple[str, dict]:
    url = f"/funds/filings/{filing.pk}/allocations/"
    form = form_with(client.get(url).content.decode(), testid="allocation-form")
    return url, form.post_data() | {"target": "610100", P: "120.00"}


def test_a_rendered_money_form_carries_a_fresh_key(client, users, province):
    login_as(client, users["province_operator"])
    _, first = allocation_form(client, province)
    _, second = allocation_form(client, province)
    assert first["form_key"] and first["form_key"] != second["form_key"]


def test_the_same_allocation_posted_twice_creates_one_row(client, users, province):
    login_as(client, users["province_operator"])
    url, data = allocation_form(client, province)
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    allocation = Allocation.objects.get()
    assert first["Location"] == second["Location"] == f"{url}#allocation-{allocation.pk}"
    assert Balance.objects.get(filing=province, source_level=P).allocated_out == D("120.00")
    assert ledger_discrepancies() == []


def test_a_post_without_its_key_writes_nothing(client, users, province):
    login_as(client, users["province_operator"])
    url, data = allocation_form(client, province)
    del data["form_key"]
    assert client.post(url, data).status_code == 200
    assert not Allocation.objects.exists()


def test_the_same_receipt_posted_twice_creates_one_receipt(client, tree, users, province):
    allocation_create(source=province, target_unit=tree["610100"], amounts={P: D("9")}, actor=None)
    backdate_allocations()
    prefecture = Filing.objects.get(unit=tree["610100"])
    login_as(client, users["prefecture_operator"])
    url = f"/funds/filings/{prefecture.pk}/"
    form = form_with(client.get(url).content.decode(), testid="receipt-form")
    data = form.post_data() | {"arrival_date": "2025-03-01"}
    first = client.post(f"{url}receipt/", data)
    second = client.post(f"{url}receipt/", data)
    assert first["Location"] == second["Location"] == url
    assert Receipt.objects.count() == 1
    assert not [str(m) for m in second.wsgi_request._messages if m.level_tag == "error"]


def _race(posts) -> list:
    """Run each (user, url, data) POST in its own thread and connection, all at once."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(i, user, url, data):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            response = client.post(url, data)
            results[i] = (response.status_code, response.get("Location"))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_posts_of_one_form_create_one_row_on_postgresql(tree, grant, users):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and a racing UNIQUE insert need PostgreSQL (DATABASE_URL=…)")
    province = filing_create(
        unit=tree["610000"], year=YEAR, project=grant, own_funds=D("500.00"), actor=None
    )
    operator = users["province_operator"]
    client = Client()
    client.force_login(operator)
    url, data = allocation_form(client, province)
    results = _race([(operator, url, data)] * 4)
    assert {r[0] for r in results} == {302}, results
    allocation = Allocation.objects.get()
    assert {r[1] for r in results} == {f"{url}#allocation-{allocation.pk}"}
    assert Balance.objects.get(filing=province, source_level=P).allocated_out == D("120.00")

    # the receipt of it: four racing confirmations, one receipt
    backdate_allocations()
    prefecture = Filing.objects.get(unit=tree["610100"])
    receiver = users["prefecture_operator"]
    client.force_login(receiver)
    page = f"/funds/filings/{prefecture.pk}/"
    form = form_with(client.get(page).content.decode(), testid="receipt-form")
    data = form.post_data() | {"arrival_date": "2025-03-01"}
    results = _race([(receiver, f"{page}receipt/", data)] * 4)
    assert set(results) == {(302, page)}, results
    assert Receipt.objects.count() == 1
    assert Allocation.objects.get().receipt is not None
    assert ledger_discrepancies() == []
