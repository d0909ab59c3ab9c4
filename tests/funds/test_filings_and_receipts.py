"""Filings carry the fields of their unit and category; receivers confirm arrivals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.funds.conftest import YEAR, _project
from tests.funds.factories import backdate_allocations
from zizhu.audit.models import AuditEvent
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Allocation, Balance, Filing, FilingStatus, SourceLevel
from zizhu.funds.selectors import arrival_dates_by_level
from zizhu.funds.services import allocation_create, filing_create, filing_update, receipt_confirm

D = Decimal
C, P = SourceLevel.CENTRAL, SourceLevel.PROVINCIAL


def test_it_creates_an_authority_filing_with_four_balance_rows(province_filing):
    assert province_filing.status == FilingStatus.DRAFT
    assert province_filing.version == 1
    rows = {b.source_level: b.own for b in Balance.objects.filter(filing=province_filing)}
    assert rows == {C: 0, P: D("200.00"), "prefectural": 0, "county": 0}  # own level only
    event = AuditEvent.objects.get(action="funds.filing_create")
    assert event.detail["own_funds"] == "200.00"


def test_it_refuses_a_second_filing_for_the_same_unit_year_and_project(
    tree, grant, province_filing, users
):
    with pytest.raises(ValidationError, match="已有 2025 年度"):
        filing_create(
            unit=tree["610000"], year=YEAR, project=grant, actor=users["province_operator"]
        )


def test_it_takes_the_school_aid_amounts_from_schools_only(tree, users):
    school_aid = _project("vocational_school_aid", "学校资助", "vocational", category="school")
    filing = filing_create(
        unit=tree["3661000001"],
        year=YEAR,
        project=school_aid,
        school_funds=D("3000.00"),
        other_funds=D("120.50"),
        actor=users["school_operator"],
    )
    assert (filing.school_funds, filing.other_funds, filing.social_funds) == (
        D("3000.00"),
        D("120.50"),
        None,
    )
    with pytest.raises(ValidationError, match="社会资金"):
        filing_create(
            unit=tree["3661000002"],
            year=YEAR,
            project=school_aid,
            social_funds=D("1.00"),
            actor=None,
        )


def test_it_refuses_own_funds_for_a_school_and_school_funds_for_an_authority(tree, grant, users):
    with pytest.raises(ValidationError, match="本级资金"):
        filing_create(
            unit=tree["3661000001"],
            year=YEAR,
            project=grant,
            own_funds=D("10.00"),
            actor=users["school_operator"],
        )
    with pytest.raises(ValidationError, match="学校资金"):
        filing_create(
            unit=tree["610112"],
            year=YEAR,
            project=grant,
            school_funds=D("10.00"),
            actor=users["county_operator"],
        )


def test_it_lets_a_user_file_for_their_own_unit_only(tree, grant, users):
    with pytest.raises(PermissionDenied):
        filing_create(
            unit=tree["610112"], year=YEAR, project=grant, actor=users["neighbour_operator"]
        )
    with pytest.raises(PermissionDenied):  # read-only role
        filing_create(
            unit=tree["610112"], year=YEAR, project=grant, actor=users["county_supervisor"]
        )


def test_it_refuses_editing_a_locked_filing(province_filing, users):
    Filing.objects.filter(pk=province_filing.pk).update(status=FilingStatus.LOCKED)
    with pytest.raises(ValidationError, match="已锁定"):
        filing_update(
            filing=province_filing, version=1, doc_title="x", actor=users["province_operator"]
        )


@pytest.fixture
def county_filing(tree, grant, province_filing, users):
    """The county has received 100 provincial yuan through the prefecture."""
    allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={P: D("150.00")},
        actor=users["province_operator"],
    )
    prefecture = Filing.objects.get(unit=tree["610100"], project=grant)
    allocation_create(
        source=prefecture,
        target_unit=tree["610112"],
        amounts={P: D("100.00")},
        actor=users["prefecture_operator"],
    )
    backdate_allocations()
    return Filing.objects.get(unit=tree["610112"], project=grant)


def test_it_confirms_receipt_of_the_pending_allocations_with_the_arrival_date(county_filing, users):
    arrived = timezone.localdate() - timedelta(days=3)
    receipt = receipt_confirm(
        filing=county_filing, arrival_date=arrived, actor=users["county_operator"]
    )
    assert list(
        Allocation.objects.filter(to_filing=county_filing).values_list("receipt", flat=True)
    ) == [receipt.pk]
    assert receipt.confirmed_by == users["county_operator"]
    assert arrival_dates_by_level(county_filing) == {
        C: None,
        P: arrived,
        "prefectural": None,
        "county": None,
    }
    event = AuditEvent.objects.get(action="funds.receipt_confirm")
    assert event.detail["amounts"][P] == "100.00"
    with pytest.raises(ValidationError, match="没有待确认"):
        receipt_confirm(filing=county_filing, arrival_date=arrived, actor=users["county_operator"])
    assert ledger_discrepancies() == []


def test_it_refuses_an_arrival_date_in_the_future_or_someone_elses_receipt(county_filing, users):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        receipt_confirm(
            filing=county_filing,
            arrival_date=timezone.localdate() + timedelta(days=1),
            actor=users["county_operator"],
        )
    with pytest.raises(PermissionDenied):
        receipt_confirm(
            filing=county_filing, arrival_date=date(2025, 3, 1), actor=users["neighbour_operator"]
        )
