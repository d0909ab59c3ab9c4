"""资金填报详情: the list's money figures against sums over the fixture's own allocations, the
filters, the record of one filing, scope and query counts."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create

from .conftest import ALLOCATIONS, OWN_FUNDS, STATES, YEAR

URL = "/funds/reports/details/national/"


def sums() -> tuple[dict, dict]:
    received, allocated = defaultdict(Decimal), defaultdict(Decimal)
    for source, target, amounts in ALLOCATIONS:
        allocated[source] += sum(amounts.values())
        received[target] += sum(amounts.values())
    return received, allocated


def rows(response) -> dict[str, tuple]:
    return {
        f.unit.code: (f.status, f.own_funds, f.received, f.allocated)
        for f in response.context["page"]
    }


def test_it_lists_each_filing_in_scope_with_its_money(login, users, filings):
    response = login(users["province_operator"]).get(URL)
    received, allocated = sums()
    assert rows(response) == {
        code: (status, OWN_FUNDS.get(code, Decimal("0.00")), received[code], allocated[code])
        for code, (status, _at) in STATES.items()
    }


def test_it_shows_only_the_filings_in_the_users_scope(login, users, filings):
    response = login(users["county_operator"]).get(URL)
    assert set(rows(response)) == {"610112", "3661000001"}


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"level": "school"}, {"3661000001", "3661000003"}),
        ({"level": "county"}, {"610112", "610111"}),
        ({"status": "locked"}, {"3661000003"}),
        ({"status": "submitted", "level": "county"}, {"610112"}),
        ({"year": YEAR + 1}, set(STATES)),  # not a year with filings: ignored
        ({"year": YEAR}, set(STATES)),
    ],
)
def test_it_filters_by_year_level_and_status(login, users, filings, params, codes):
    response = login(users["province_operator"]).get(URL, params)
    assert set(rows(response)) == codes


def test_it_filters_by_project(login, users, filings, tree):
    scholarship = AidProject.objects.get(code="vocational_national_scholarship")
    filing_create(unit=tree["3661000002"], year=YEAR, project=scholarship, actor=None)
    client = login(users["province_operator"])
    assert set(rows(client.get(URL, {"project": scholarship.pk}))) == {"3661000002"}
    assert len(rows(client.get(URL))) == len(STATES) + 1


def test_it_does_not_list_other_categories(login, users, filings, tree):
    school_aid = AidProject.objects.get(code="vocational_school_hardship")
    filing_create(
        unit=tree["3661000002"], year=YEAR, project=school_aid, school_funds=1, actor=None
    )
    client = login(users["province_operator"])
    assert set(rows(client.get("/funds/reports/details/school/"))) == {"3661000002"}
    assert "3661000002" not in rows(client.get(URL))


def test_it_shows_a_filings_record(login, users, filings):
    client = login(users["county_operator"])
    filing = filings["610112"]
    response = client.get(f"{URL}{filing.pk}/")
    record = response.context["record"]
    received, allocated = sums()
    assert (record.received, record.allocated) == (received["610112"], allocated["610112"])
    assert [a.total for a in record.allocations_in] == [Decimal("150.00"), Decimal("50.00")]
    assert [a.to_filing.unit.code for a in record.allocations_out] == ["3661000001"]
    by_level = {b.source_level: (b.received, b.allocated_out) for b in record.balances}
    assert by_level["provincial"] == (Decimal("200.00"), Decimal("120.00"))
    assert by_level["central"] == (Decimal("0.00"), Decimal("0.00"))
    assert record.document_url == ""  # no document uploaded


def test_it_answers_404_outside_the_scope_or_the_category(login, users, filings):
    client = login(users["county_operator"])
    assert client.get(f"{URL}{filings['3661000003'].pk}/").status_code == 404
    assert client.get(f"/funds/reports/details/local/{filings['610112'].pk}/").status_code == 404


def test_it_refuses_school_users(login, users, filings):
    client = login(users["school_operator"])
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{filings['3661000001'].pk}/").status_code == 403


def test_it_runs_as_many_queries_for_many_filings_as_for_few(
    login, users, tree, filings, django_assert_num_queries
):
    client = login(users["province_operator"])
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for code in ("vocational_national_scholarship", "vocational_tuition_waiver"):
        project = AidProject.objects.get(code=code)
        for school in ("3661000001", "3661000002", "3661000003"):
            filing_create(unit=tree[school], year=YEAR, project=project, actor=None)
    with django_assert_num_queries(len(few)):
        response = client.get(URL)
    assert len(response.context["page"]) == len(STATES) + 6


def _leaves(items) -> set[str]:
    return {name for item in items for name in (item.url_name, *_leaves(item.children)) if name}


def test_it_sits_in_the_menu_of_authorities_only(login, users, filings):
    response = login(users["county_supervisor"]).get(f"{URL}{filings['610112'].pk}/")
    crumbs = response.context["breadcrumbs"]
    assert crumbs[-1].url_name == "fundreports:details_national"
    assert len(crumbs) == 4  # 资助业务管理 — 资助资金管理 — 资金填报详情 — 国家资助
    names = _leaves(response.context["menu"])
    assert {"fundreports:details_social", "fundreports:progress_local"} <= names
    response = login(users["school_operator"]).get("/")
    names = _leaves(response.context["menu"])
    assert not any(
        name.startswith(("fundreports:details", "fundreports:progress")) for name in names
    )


def test_it_names_the_document_and_links_it_when_the_funds_app_serves_it(login, users, filings):
    filing = filings["610112"]
    Filing.objects.filter(pk=filing.pk).update(
        document="funds/documents/x.pdf", document_name="下达通知.pdf"
    )
    response = login(users["county_operator"]).get(f"{URL}{filing.pk}/")
    assert "下达通知.pdf" in response.content.decode()
    try:
        link = reverse("funds:filing_document", args=[filing.pk])
    except NoReverseMatch:
        link = ""
    assert response.context["record"].document_url == link
