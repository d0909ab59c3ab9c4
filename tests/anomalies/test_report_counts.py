"""The findings report's months and risk counts are compiled once per shape (zizhu.lib.compiled):
whoever asks first, each user, unit and set of filters gets the counts the ORM gives."""

import itertools

import pytest
from django.db.models import Count

from zizhu.anomalies.models import Finding, FindingStatus, Programme, Risk
from zizhu.anomalies.selectors import Filters, finding_months, findings_for, risk_counts

from .factories import make_finding, make_run

GRANT = Programme.NATIONAL_GRANT
# (school, month, rule, status): national-grant rules of each risk (6 high, 15 medium, 23 low)
SPECS = [
    ("3661000001", "2025-09", 6, FindingStatus.OPEN),
    ("3661000001", "2025-09", 15, FindingStatus.EXPLAINED),
    ("3661000001", "2025-10", 23, FindingStatus.OPEN),
    ("3661000001", "2025-10", 6, FindingStatus.OPEN),
    ("3661000002", "2025-10", 15, FindingStatus.OPEN),
    ("3661000003", "2025-09", 23, FindingStatus.OPEN),
    ("3661000003", "2025-10", 6, FindingStatus.EXPLAINED),
]
FILTERS = [
    Filters(),
    Filters(month="2025-10"),
    Filters(risk=Risk.HIGH, status=FindingStatus.OPEN),
    Filters(month="2025-09", rule=15),
    Filters(month="2025-10", risk=Risk.LOW, rule=23, status=FindingStatus.OPEN),
]


@pytest.fixture
def spread(tree):
    runs = {month: make_run(month) for month in ("2025-09", "2025-10")}
    for pid, (school, month, rule, status) in enumerate(SPECS, start=1):
        make_finding(runs[month], school, rule=rule, pid=pid, status=status)
    make_finding(runs["2025-10"], "3661000001", rule=1, pid=99)  # another programme's
    return tree


def _orm(user, filters: Filters, unit) -> dict[str, int]:
    findings = filters.apply(findings_for(user).filter(programme=GRANT))
    below = findings.filter(school__path__startswith=unit.path)
    counts = dict(below.order_by().values_list("risk").annotate(n=Count("id")))
    return {risk: counts.get(risk, 0) for risk in Risk.values}


@pytest.mark.parametrize("reverse", [False, True])
def test_each_user_unit_and_filter_gets_the_orms_counts_whoever_asks_first(users, spread, reverse):
    asks = [
        ("province_operator", "610000"),
        ("province_operator", "610112"),
        ("county_operator", "610112"),
        ("county_operator", "3661000002"),
        ("neighbour_operator", "610111"),
        ("school_operator", "3661000001"),
        ("neighbour_school_operator", "3661000003"),
    ]
    cases = list(itertools.product(asks, FILTERS))
    if reverse:
        cases.reverse()
    seen = set()
    for (name, code), filters in cases:
        user, unit = users[name], spread[code]
        counts = risk_counts(user, GRANT, filters, unit)
        assert counts == _orm(user, filters, unit), (name, code, filters)
        seen.add(sum(counts.values()))
        months = list(
            findings_for(user)
            .filter(programme=GRANT)
            .order_by("-month")
            .values_list("month", flat=True)
            .distinct()
        )
        assert finding_months(user, GRANT) == months, name
    assert len(seen) > 3  # the cases differ: a count kept from another call would show
    assert Finding.objects.count() == len(SPECS) + 1


def test_the_counts_are_those_of_the_findings_made(users, spread):
    """Against the findings the fixture made, not only against the ORM's own reading."""
    county, province = users["county_operator"], users["province_operator"]
    counts = risk_counts(county, GRANT, Filters(), spread["610112"])
    assert counts == {Risk.HIGH: 2, Risk.MEDIUM: 2, Risk.LOW: 1}
    counts = risk_counts(province, GRANT, Filters(month="2025-10"), spread["610000"])
    assert counts == {Risk.HIGH: 2, Risk.MEDIUM: 1, Risk.LOW: 1}
    counts = risk_counts(province, GRANT, Filters(status=FindingStatus.EXPLAINED), spread["610111"])
    assert counts == {Risk.HIGH: 1, Risk.MEDIUM: 0, Risk.LOW: 0}
    assert finding_months(users["school_operator"], GRANT) == ["2025-10", "2025-09"]


def test_a_user_without_the_right_sees_nothing(users, spread):
    admin = users["sysadmin"]
    assert risk_counts(admin, GRANT, Filters(), spread["610000"]) == dict.fromkeys(Risk.values, 0)
    assert finding_months(admin, GRANT) == []


def test_the_centre_and_a_province_ask_month_by_month_and_find_the_same_months(users, spread):
    """Months with findings only elsewhere (another province), only of the other programme,
    and a month skipped in between: the month-by-month question of the centre and a province
    answers as reading every finding does."""
    from zizhu.accounts.models import User
    from zizhu.units.models import Unit
    from zizhu.units.services import UnitRow, units_import

    units_import(
        rows=[
            UnitRow("620000", "甘肃省", "province", "000000"),
            UnitRow("620100", "兰州市", "prefecture", "620000"),
            UnitRow("620102", "城关区", "county", "620100"),
            UnitRow("3662000001", "城关职教中心", "school", "620102", stage="vocational"),
        ]
    )
    made = {"2025-06": make_run("2025-06"), "2025-08": make_run("2025-08")}
    made["2025-12"] = make_run("2025-12")
    make_finding(made["2025-08"], "3662000001", rule=6, pid=201)  # Gansu only
    make_finding(made["2025-06"], "3661000002", rule=1, pid=202)  # the other programme only
    make_finding(made["2025-12"], "3661000003", rule=23, pid=203)  # after a month of none
    centre = User.objects.create(
        username="centre", role="operator", unit=Unit.objects.get(code="000000")
    )
    gansu = User.objects.create(
        username="gansu", role="operator", unit=Unit.objects.get(code="620000")
    )
    expected = {
        "centre": ["2025-12", "2025-10", "2025-09", "2025-08"],
        "province_operator": ["2025-12", "2025-10", "2025-09"],
        "gansu": ["2025-08"],
    }
    for name, user in [("centre", centre), ("province_operator", users["province_operator"])]:
        assert finding_months(user, GRANT) == expected[name], name
    assert finding_months(gansu, GRANT) == expected["gansu"]
    # without a programme: every month of the scope's findings
    assert finding_months(users["province_operator"]) == [
        "2025-12",
        "2025-10",
        "2025-09",
        "2025-06",
    ]
    assert finding_months(centre, Programme.TUITION_WAIVER) == ["2025-10", "2025-06"]
