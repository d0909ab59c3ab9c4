"""支付凭证查看 reads its totals per child unit from the per-authority payment totals: for every
user, unit and filter it shows what summing the vouchers themselves shows, also after vouchers
change and go, and it reads no voucher of another province."""

from decimal import Decimal

import pytest

from tests.vouchers.factories import grant_project, project
from zizhu.accounts.models import User
from zizhu.fundreports.vouchers_views import voucher_overview
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import
from zizhu.vouchers.models import Voucher
from zizhu.vouchers.selectors import filtered, overview, vouchers_for

MORE = [
    UnitRow("620000", "甘肃省", "province", "000000"),
    UnitRow("620100", "兰州市", "prefecture", "620000"),
    UnitRow("620102", "城关区", "county", "620100"),
    UnitRow("3662000001", "城关职教中心", "school", "620102", stage="vocational"),
    UnitRow("4161000002", "陕西另一学院", "school", "610000", stage="higher"),
]
# school, year, project (g: the grant, w: the waiver), students, amount
VOUCHERS = [
    ("3661000001", 2025, "g", 3, "6900.00"),
    ("3661000001", 2025, "w", 2, "4600.10"),
    ("3661000002", 2025, "g", 4, "9200.00"),
    ("3661000002", 2024, "g", 1, "2000.00"),
    ("3661000003", 2025, "g", 5, "11500.55"),
    ("4161000001", 2025, "g", 7, "700.00"),
    ("4161000001", 2023, "w", 1, "10.00"),
    ("4161000002", 2025, "g", 3, "30.00"),
    ("3662000001", 2025, "g", 9, "900.09"),
]


@pytest.fixture
def world(tree):
    units_import(rows=MORE)
    projects = {
        "g": grant_project(),
        "w": project("vocational_tuition_waiver", "中职免学费", "vocational"),
    }
    for code, year, key, students, amount in VOUCHERS:
        Voucher.objects.create(
            unit=Unit.objects.get(code=code),
            year=year,
            project=projects[key],
            students=students,
            amount=Decimal(amount),
        )
    users = {
        code: User.objects.create(username=f"operator_{code}", role="operator", unit=tree[code])
        for code in ("610000", "610100", "610112")
    }
    centre = Unit.objects.get(code="000000")
    users["000000"] = User.objects.create(username="centre", role="operator", unit=centre)
    return users, projects


def figures(found):
    children = {c.unit.code: (c.count, c.students, c.amount) for c in found.children if c.totals}
    total = found.total
    return children, (total["count"], total["students_total"], total["amount_total"]), found.years


FILTERS = [
    {},
    {"year": 2025},
    {"year": 2024},
    {"project": "w"},
    {"year": 2025, "project": "g"},
    {"school": "36610"},
]


def compare(users, projects):
    """Every user, at every unit of its scope, with every filter: the totals' figures equal
    the vouchers' own; returns how many views were compared."""
    compared = 0
    for user in users.values():
        for unit in Unit.objects.filter(path__startswith=user.unit.path).order_by("path"):
            for chosen in FILTERS:
                filters = {"year": None, "project": None, "school": "", **chosen}
                if chosen.get("project"):
                    filters["project"] = projects[chosen["project"]]
                below = vouchers_for(user).filter(unit__path__startswith=unit.path)
                vouchers = filtered(below, **filters)
                expected = figures(overview(unit, vouchers))
                assert figures(voucher_overview(user, unit, vouchers, filters)) == expected, (
                    user.unit.code,
                    unit.code,
                    chosen,
                )
                compared += 1
    return compared


def test_the_totals_give_what_the_vouchers_give(world):
    users, projects = world
    assert compare(users, projects) > 100
    # the centre's page: both provinces, each voucher counted once
    found = voucher_overview(
        users["000000"],
        Unit.objects.get(code="000000"),
        vouchers_for(users["000000"]),
        {"year": None, "project": None, "school": ""},
    )
    children, total, years = figures(found)
    assert set(children) == {"610000", "620000"}
    assert total[0] == len(VOUCHERS) and total[1] == sum(v[3] for v in VOUCHERS)
    assert total[2] == sum(Decimal(v[4]) for v in VOUCHERS)
    assert years == {2025: 7, 2024: 1, 2023: 1}


def test_the_totals_follow_vouchers_that_change_and_go(world):
    users, projects = world
    Voucher.objects.filter(unit__code="3661000002", year=2025).update(students=40)
    Voucher.objects.filter(unit__code="3661000003").delete()
    voucher = Voucher.objects.get(unit__code="4161000002")
    voucher.year, voucher.students = 2024, 6
    voucher.save()
    assert compare(users, projects) > 100


def test_a_province_totals_its_own_vouchers_in_two_queries(world, django_assert_num_queries):
    users, _projects = world
    province = users["610000"]
    found = voucher_overview(
        province,
        province.unit,
        vouchers_for(province),
        {"year": None, "project": None, "school": ""},
    )
    _children, total, _years = figures(found)
    assert total[0] == len(VOUCHERS) - 1  # all but Gansu's
    with django_assert_num_queries(2):  # the totals and the direct schools, then the children
        voucher_overview(
            province,
            province.unit,
            vouchers_for(province),
            {"year": None, "project": None, "school": ""},
        )
