"""What a filing keeps and shows: the document date survives saving the form as rendered; the
document's number, date and title are on the filing's page; school aid has 上级资金 and its
arrival date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import login_as
from tests.funds.conftest import YEAR, _project
from tests.web.html_forms import form_with
from zizhu.catalogue.models import Category
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create, filing_update

D = Decimal


@pytest.fixture
def school_aid(db):
    return _project("school_aid", "学校资助", "any", category=Category.SCHOOL)


def test_it_renders_the_document_date_in_iso_and_keeps_it_when_the_form_is_saved_again(
    client, tree, grant, users
):
    operator = users["county_operator"]
    filing = filing_create(
        unit=tree["610112"],
        year=YEAR,
        project=grant,
        actor=operator,
        doc_number="未财教〔2026〕3号",
        doc_date=date(2026, 3, 1),
        doc_title="关于下达资金的通知",
    )
    login_as(client, operator)
    page = client.get(f"/funds/filings/{filing.pk}/")
    html = page.content.decode()
    form = form_with(html, testid="filing-form")
    assert form.data["doc_date"] == ["2026-03-01"]
    # the summary names the document whether or not the form is shown
    assert "未财教〔2026〕3号" in html and "关于下达资金的通知" in html
    assert 'data-testid="doc-date">2026-03-01<' in html
    response = client.post(f"/funds/filings/{filing.pk}/", form.post_data())
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.doc_date == date(2026, 3, 1) and filing.version == 2


def test_a_school_states_the_received_funds_of_school_aid_and_their_arrival_date(
    client, tree, school_aid, users
):
    operator = users["school_operator"]
    filing = filing_create(unit=tree["3661000001"], year=YEAR, project=school_aid, actor=operator)
    login_as(client, operator)
    page = client.get(f"/funds/filings/{filing.pk}/").content.decode()
    form = form_with(page, testid="filing-form")
    assert {"received_funds", "received_arrival_date", "school_funds", "other_funds"} <= set(
        form.data
    )
    data = form.post_data() | {
        "received_funds": "1200.50",
        "received_arrival_date": "2025-03-10",
        "school_funds": "800.00",
        "other_funds": "0",
    }
    assert client.post(f"/funds/filings/{filing.pk}/", data).status_code == 302
    filing.refresh_from_db()
    assert filing.received_funds == D("1200.50")
    assert filing.received_arrival_date == date(2025, 3, 10)
    page = client.get(f"/funds/filings/{filing.pk}/").content.decode()
    assert 'value="2025-03-10"' in page and 'value="1200.50"' in page


def test_it_refuses_a_future_arrival_date_and_a_date_without_an_amount(tree, school_aid, users):
    operator = users["school_operator"]
    filing = filing_create(unit=tree["3661000001"], year=YEAR, project=school_aid, actor=operator)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(Exception, match="不能晚于今天"):
        filing_update(
            filing=filing,
            version=1,
            actor=operator,
            received_funds=D("10"),
            received_arrival_date=tomorrow,
        )
    with pytest.raises(Exception, match="请同时填写上级资金"):
        filing_update(
            filing=filing, version=1, actor=operator, received_arrival_date=date(2025, 1, 2)
        )
    assert Filing.objects.get(pk=filing.pk).version == 1


def test_school_aid_received_funds_count_in_the_summary(client, tree, school_aid, users):
    operator = users["school_operator"]
    filing = filing_create(unit=tree["3661000001"], year=YEAR, project=school_aid, actor=operator)
    filing_update(
        filing=filing,
        version=1,
        actor=operator,
        received_funds=D("300.00"),
        received_arrival_date=date(2025, 2, 1),
        school_funds=D("100.00"),
    )
    login_as(client, users["county_operator"])
    response = client.get("/funds/reports/summary/school/", {"year": YEAR})
    funds = next(t for t in response.context["tables"] if t.key == "funds")
    row = next(r for r in funds.rows if r.unit and r.unit.code == "3661000001")
    # school funds, other funds, received funds, funds, expenditure, balance
    assert row.cells[1:5] == [D("100.00"), D("0"), D("300.00"), D("400.00")]
