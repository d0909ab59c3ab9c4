"""The allocation ledger: money moves down the tree by source level and is never created."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from tests.funds.conftest import YEAR
from zizhu.audit.models import AuditEvent
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Allocation, Balance, Filing, SourceLevel
from zizhu.funds.selectors import received_by_level
from zizhu.funds.services import allocation_create, filing_create, filing_update

C, P, PF, CO = (
    SourceLevel.CENTRAL,
    SourceLevel.PROVINCIAL,
    SourceLevel.PREFECTURAL,
    SourceLevel.COUNTY,
)
D = Decimal


def balance(filing: Filing, level: str) -> Balance:
    return Balance.objects.get(filing=filing, source_level=level)


def filing_of(unit, project) -> Filing:
    return Filing.objects.get(unit=unit, year=YEAR, project=project)


@pytest.fixture
def funded_province(tree, central_filing, province_filing, central_operator):
    """The province holds 800.00 central money (received) and 200.00 of its own."""
    allocation_create(
        source=central_filing,
        target_unit=tree["610000"],
        amounts={C: D("800.00")},
        actor=central_operator,
    )
    return province_filing


def test_it_moves_money_down_the_chain_split_by_source_level(tree, grant, funded_province, users):
    allocation_create(
        source=funded_province,
        target_unit=tree["610100"],
        amounts={C: D("640.00"), P: D("160.00")},  # 80 % central, 20 % provincial
        actor=users["province_operator"],
    )
    prefecture = filing_of(tree["610100"], grant)  # created by the allocation
    allocation_create(
        source=prefecture,
        target_unit=tree["610112"],
        amounts={C: D("400.00"), P: D("100.00")},
        actor=users["prefecture_operator"],
    )
    county = filing_of(tree["610112"], grant)
    allocation_create(
        source=county,
        target_unit=tree["3661000001"],
        amounts={C: D("200.40"), P: D("50.10")},
        actor=users["county_operator"],
    )
    school = filing_of(tree["3661000001"], grant)

    assert received_by_level(school) == {C: D("200.40"), P: D("50.10"), PF: 0, CO: 0}
    assert received_by_level(county) == {C: D("400.00"), P: D("100.00"), PF: 0, CO: 0}
    province_central = balance(funded_province, C)
    assert (province_central.received, province_central.allocated_out) == (D("800"), D("640"))
    province_own = balance(funded_province, P)
    assert (province_own.received, province_own.own, province_own.allocated_out) == (
        0,
        D("200.00"),
        D("160.00"),
    )
    assert balance(county, C).available == D("199.60")
    assert ledger_discrepancies() == []
    assert AuditEvent.objects.filter(action="funds.allocation_create").count() == 4
    assert AuditEvent.objects.filter(action="funds.filing_create").count() == 5


def test_it_refuses_more_central_money_than_received_even_with_own_money_left(
    tree, funded_province, users
):
    with pytest.raises(ValidationError, match="中央资金余额不足：可下拨 800.00 元"):
        allocation_create(
            source=funded_province,
            target_unit=tree["610100"],
            amounts={C: D("800.01")},
            actor=users["province_operator"],
        )
    assert balance(funded_province, C).allocated_out == 0
    assert not Allocation.objects.filter(from_filing=funded_province).exists()


def test_it_moves_nothing_when_one_level_of_an_allocation_is_short(tree, funded_province, users):
    with pytest.raises(ValidationError, match="省级资金余额不足") as refused:
        allocation_create(
            source=funded_province,
            target_unit=tree["610100"],
            amounts={C: D("100.00"), P: D("200.01")},
            actor=users["province_operator"],
        )
    assert len(refused.value.messages) == 1
    assert balance(funded_province, C).allocated_out == 0
    assert not Filing.objects.filter(unit=tree["610100"]).exists()  # rolled back as well
    assert ledger_discrepancies() == []


def test_it_lets_a_province_allocate_its_own_money_up_to_its_own_funds(
    tree, grant, province_filing, users
):
    allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={P: D("150.00")},
        actor=users["province_operator"],
    )
    allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={P: D("50.00")},
        actor=users["province_operator"],
    )
    with pytest.raises(ValidationError, match="省级资金余额不足：可下拨 0.00 元"):
        allocation_create(
            source=province_filing,
            target_unit=tree["610100"],
            amounts={P: D("0.01")},
            actor=users["province_operator"],
        )
    # the prefecture passes provincial money on; it has no provincial money of its own
    prefecture = filing_of(tree["610100"], grant)
    assert balance(prefecture, P).received == D("200.00")
    with pytest.raises(ValidationError, match="地市级资金余额不足"):
        allocation_create(
            source=prefecture,
            target_unit=tree["610112"],
            amounts={PF: D("1.00")},
            actor=users["prefecture_operator"],
        )
    assert ledger_discrepancies() == []


def test_it_lets_a_direct_school_receive_from_the_province(tree, higher_grant, users):
    province = filing_create(
        unit=tree["610000"],
        year=YEAR,
        project=higher_grant,
        own_funds=D("500.00"),
        actor=users["province_operator"],
    )
    allocation_create(
        source=province,
        target_unit=tree["4161000001"],
        amounts={P: D("500.00")},
        actor=users["province_operator"],
    )
    school = filing_of(tree["4161000001"], higher_grant)
    assert received_by_level(school)[P] == D("500.00")
    assert balance(school, P).own == 0  # schools have no level of their own


@pytest.mark.parametrize(
    ("source_code", "target_code", "actor"),
    [
        ("610000", "610112", "province_operator"),  # a grandchild, not a child
        ("610112", "3661000003", "county_operator"),  # the neighbour county's school
        ("610100", "610000", "prefecture_operator"),  # upwards
        ("610000", "4161000001", "province_operator"),  # a direct school of another stage
    ],
)
def test_it_refuses_an_allocation_to_a_unit_that_is_not_a_direct_child(
    tree, grant, users, source_code, target_code, actor
):
    source = filing_create(
        unit=tree[source_code],
        year=YEAR,
        project=grant,
        own_funds=D("100.00"),
        actor=users[actor],
    )
    level = source.own_level
    with pytest.raises(ValidationError):
        allocation_create(
            source=source,
            target_unit=tree[target_code],
            amounts={level: D("1.00")},
            actor=users[actor],
        )
    assert not Allocation.objects.exists()


@pytest.mark.parametrize(
    ("amounts", "message"),
    [
        ({}, "请填写下拨金额"),
        ({SourceLevel.PROVINCIAL: D("0")}, "必须大于零"),
        ({SourceLevel.PROVINCIAL: D("-5.00")}, "必须大于零"),
        ({SourceLevel.PROVINCIAL: D("1.005")}, "最多保留两位小数"),
        ({SourceLevel.PROVINCIAL: 1.5}, "精确的十进制金额"),
        ({SourceLevel.PROVINCIAL: "abc"}, "不是有效的金额"),
    ],
)
def test_it_refuses_amounts_that_are_not_positive_yuan_and_fen(
    tree, province_filing, users, amounts, message
):
    with pytest.raises(ValidationError, match=message):
        allocation_create(
            source=province_filing,
            target_unit=tree["610100"],
            amounts=amounts,
            actor=users["province_operator"],
        )


def test_it_accepts_amounts_given_as_strings(tree, province_filing, users):
    allocation = allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={SourceLevel.PROVINCIAL: "12.5"},
        actor=users["province_operator"],
    )
    allocation.refresh_from_db()
    assert allocation.provincial == D("12.50")


def test_it_lets_only_the_sending_units_operators_allocate(tree, province_filing, users):
    for name in ("prefecture_operator", "sysadmin"):
        with pytest.raises(PermissionDenied):
            allocation_create(
                source=province_filing,
                target_unit=tree["610100"],
                amounts={P: D("1.00")},
                actor=users[name],
            )


def test_it_refuses_an_authority_filing_of_social_aid(tree, users):
    from tests.funds.conftest import _project

    social = _project("vocational_social", "社会资助", "vocational", category="social")
    with pytest.raises(ValidationError, match="只由学校填报"):
        filing_create(
            unit=tree["610000"], year=YEAR, project=social, actor=users["province_operator"]
        )


def test_it_refuses_lowering_own_funds_below_what_was_allocated(tree, province_filing, users):
    allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={P: D("150.00")},
        actor=users["province_operator"],
    )
    operator = users["province_operator"]
    with pytest.raises(ValidationError, match="本级资金不能少于已下拨的本级资金"):
        filing_update(filing=province_filing, version=1, own_funds=D("149.99"), actor=operator)
    updated = filing_update(
        filing=province_filing, version=1, own_funds=D("150.00"), actor=operator
    )
    assert (updated.own_funds, updated.version) == (D("150.00"), 2)
    assert balance(province_filing, P).own == D("150.00")
    assert ledger_discrepancies() == []


def test_it_refuses_a_stale_save_of_a_filing(province_filing, users):
    operator = users["province_operator"]
    filing_update(filing=province_filing, version=1, doc_title="第一次保存", actor=operator)
    with pytest.raises(ValidationError, match="已被他人修改"):
        filing_update(filing=province_filing, version=1, doc_title="过时的保存", actor=operator)
    province_filing.refresh_from_db()
    assert province_filing.doc_title == "第一次保存"


def test_the_database_refuses_an_overdrawn_balance(funded_province):
    central = balance(funded_province, C)
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(pk=central.pk).update(
            allocated_out=F("received") + F("own") + D("0.01")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(pk=central.pk).update(received=D("-1.00"))
    # exactly the balance is allowed
    Balance.objects.filter(pk=central.pk).update(allocated_out=F("received") + F("own"))


def test_the_database_refuses_an_allocation_of_nothing_or_of_negative_money(
    tree, province_filing, central_filing
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(from_filing=central_filing, to_filing=province_filing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.create(
            from_filing=central_filing, to_filing=province_filing, central=D("5"), county=D("-1")
        )


def test_reconciliation_reports_balances_that_disagree_with_the_allocations(
    tree, funded_province, central_filing
):
    assert ledger_discrepancies() == []
    # money created from nothing: a balance raised without an allocation
    Balance.objects.filter(filing=funded_province, source_level=C).update(
        received=F("received") + 5
    )
    # an allocation written past the ledger: the balances do not know it
    Allocation.objects.create(from_filing=central_filing, to_filing=funded_province, county=1)
    found = {(d.filing_id, d.source_level) for d in ledger_discrepancies()}
    assert found == {
        (funded_province.pk, C),
        (funded_province.pk, CO),
        (central_filing.pk, CO),
    }
    [created] = [d for d in ledger_discrepancies() if d.source_level == C]
    assert (created.received, created.received_by_allocations) == (D("805.00"), D("800.00"))


def test_a_refused_amount_reads_with_thousands_separators(tree, funded_province, users):
    with pytest.raises(ValidationError, match="可下拨 800.00 元，本次下拨 1,234,567.89 元"):
        allocation_create(
            source=funded_province,
            target_unit=tree["610100"],
            amounts={C: D("1234567.89")},
            actor=users["province_operator"],
        )
