"""The summary's queries compiled once per shape (zizhu.lib.compiled) answer what the ORM
answers for every user, node, category, year and project: each query's dicts, and the whole
page, byte for byte. The report's nodes share shapes on purpose: a query compiled for one
user, node, year or project and run for another shows any value baked into its SQL.

Beside the tree of tests/conftest.py: two counties straight under the province (the depth of a
prefecture), each with a school, and a school straight under the prefecture; the year 2025 of
test_summary.py, the year 2024 of tests/fundreports/conftest.py and school aid of 2025."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login_as
from tests.recipients.factories import make_list
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject
from zizhu.fundreports.models import ProvinceSplit, ProvinceTier
from zizhu.fundreports.summary import Scope
from zizhu.fundreports.summary_report import build, table_keys
from zizhu.fundreports.summary_upper import _split, _tiers
from zizhu.funds.models import Filing
from zizhu.funds.services import allocation_create, filing_create
from zizhu.lib import compiled
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import
from zizhu.vouchers.models import Voucher

from .conftest import build_filings
from .test_summary import YEAR, build_year

D = Decimal
COMPILED = Scope.rows

# user → the nodes it opens the summary at: the same shape (role, level, depth, path
# length) reached by different users and nodes
CASES = {
    "central_operator": ["000000", "610000", "610100"],
    "province_operator": [
        "610000",
        "610100",
        "610202",
        "610112",
        "4161000001",
        "3661000001",
    ],
    "prefecture_operator": ["610100", "610112", "610111", "3661000003", "3661000008"],
    "county_operator": ["610112", "3661000001", "3661000002"],
    "neighbour_operator": ["610111", "3661000003"],
    "county_supervisor": ["610112", "3661000002"],
    "school_operator": ["3661000001"],
    "neighbour_school_operator": ["3661000003"],
}
# category → project codes (None: all projects) → years
REPORTS = {
    "national": {None: [YEAR, YEAR - 1], "vocational_national_grant": [YEAR - 1, YEAR]},
    "local": {None: [YEAR]},
    "school": {None: [YEAR], "vocational_school_hardship": [YEAR]},
}
PROJECTS = {
    "national": "vocational_national_grant",
    "local": "preschool_local_grant",
    "school": "vocational_school_hardship",
}
QUERIES = {
    "children",
    "pending",
    "node_balances",
    "authority_balances",
    "direct_school_balances",
    "school_balances",
    "direct_school_vouchers",
    "direct_school_lists",
    "school_counts",
    "school_payments",
    "arrivals",
    "arrival_children",
    "recipients",
    "vouchers",
    "own_filed",
    "own_received",
    "own_spent",
}


def plain(scope: Scope, name: str, query, uses: str) -> list[dict]:
    """`Scope.rows` as the ORM runs the query, built for the scope's own values."""
    return list(query(scope))


@pytest.fixture
def report_data(tree, users):
    """The years and aid of the module docstring; the central operator added to `users`."""
    build_year(tree)
    grant = AidProject.objects.get(code="vocational_national_grant")
    build_filings(tree, grant, year=YEAR - 1)
    units_import(
        rows=[
            UnitRow("610202", "直管县", "county", "610000"),
            UnitRow("3661000009", "直管县职教中心", "school", "610202", stage="vocational"),
            UnitRow("3661000008", "西安市属职教中心", "school", "610100", stage="vocational"),
            UnitRow("610203", "直管县二", "county", "610000"),
            UnitRow("3661000007", "直管县二职教中心", "school", "610203", stage="vocational"),
        ]
    )
    units = {u.code: u for u in Unit.objects.all()}
    province = Filing.objects.get(unit=tree["610000"], year=YEAR, project=grant)
    for county, school, amount in (("610202", "3661000009", 70), ("610203", "3661000007", 50)):
        down = allocation_create(
            source=province,
            target_unit=units[county],
            amounts={"central": D(amount), "provincial": D("7.00")},
            actor=None,
        ).to_filing
        allocation_create(
            source=down, target_unit=units[school], amounts={"central": D("33.00")}, actor=None
        )
    prefecture = Filing.objects.get(unit=tree["610100"], year=YEAR, project=grant)
    allocation_create(
        source=prefecture,
        target_unit=units["3661000008"],
        amounts={"central": D("21.00"), "prefectural": D("2.00")},
        actor=None,
    )
    for serial, code in ((41, "3661000009"), (42, "3661000008")):
        make_list(units[code], serial, year=YEAR, term="autumn", approve=True)
        Voucher.objects.create(
            unit=units[code], year=YEAR, project=grant, students=1, amount=D(f"{serial}.00")
        )
    # spring of school year 2024: funds year 2025 (summary.recipient_terms)
    make_list(units["3661000008"], 43, year=YEAR - 1, term="spring", approve=True)
    Voucher.objects.create(
        unit=tree["4161000001"], year=YEAR, project=grant, students=2, amount=D("8.00")
    )
    school_aid = AidProject.objects.get(code="vocational_school_hardship")
    for code, funds in (("3661000001", "5000.00"), ("3661000003", "700.00")):
        filing_create(
            unit=tree[code],
            year=YEAR,
            project=school_aid,
            school_funds=D(funds),
            other_funds=D("30.00"),
            actor=None,
        )
    make_list(tree["3661000001"], 8, 9, project=school_aid.code, year=YEAR, term="autumn")
    make_list(
        tree["3661000003"], 10, project=school_aid.code, year=YEAR - 1, term="spring", approve=True
    )
    users["central_operator"] = User.objects.create(
        username="central_operator",
        role="operator",
        unit=tree["000000"],
        must_change_password=False,
    )
    return users


def scopes(users):
    projects = {p.code: p for p in AidProject.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    for username, nodes in CASES.items():
        for code in nodes:
            for category, years in REPORTS.items():
                for project, found in years.items():
                    for year in found:
                        chosen = projects[project] if project else None
                        yield Scope(users[username], units[code], category, year, chosen)


def test_each_compiled_query_answers_what_the_orm_answers(report_data, monkeypatch):
    monkeypatch.setattr(compiled, "_SQL", {})  # compiled in this test, by its first scope
    monkeypatch.setattr(compiled, "_COLUMNS", {})
    ran: dict[str, int] = {}
    filled: set[str] = set()

    def checked(scope: Scope, name: str, query, uses: str) -> list[dict]:
        found = COMPILED(scope, name, query, uses)
        assert found == plain(scope, name, query, uses), (name, scope)
        ran[name] = ran.get(name, 0) + 1
        if found:
            filled.add(name)
        return found

    monkeypatch.setattr(Scope, "rows", checked)
    for scope in scopes(report_data):
        for key in table_keys(scope):
            build(scope, key)
    assert set(ran) == QUERIES
    assert filled == QUERIES  # each was seen answering rows, not only empty lists
    assert len(compiled._SQL) < sum(ran.values()) / 3  # the shapes are shared


def _page(client, path: str, params: dict) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    html = response.content.decode()
    # what differs between any two requests: the CSRF token and the confirmation forms' keys
    html = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"', "TOKEN", html)
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "KEY", html)
    return html, len(queries)


@pytest.mark.parametrize(
    ("username", "unit"),
    [
        ("central_operator", "000000"),
        ("province_operator", "610000"),
        ("province_operator", "610202"),
        ("prefecture_operator", "610100"),
        ("county_operator", "610112"),
        ("county_supervisor", "3661000001"),
        ("school_operator", "3661000001"),
    ],
)
@pytest.mark.parametrize("category", ["national", "local", "school"])
def test_the_page_is_the_same_as_the_orms(
    client, report_data, monkeypatch, username, unit, category
):
    login_as(client, report_data[username])
    path = f"/funds/reports/summary/{category}/"
    project = AidProject.objects.get(code=PROJECTS[category])
    for params in (
        {"unit": unit, "year": YEAR},
        {"unit": unit, "year": YEAR - 1, "project": project.pk},
    ):
        client.get(path, params)  # the session's first request loads what later ones reuse
        shown, count = _page(client, path, params)
        with monkeypatch.context() as orm:
            orm.setattr(Scope, "rows", plain)
            assert _page(client, path, params) == (shown, count), params


def test_the_tiers_and_splits_are_the_orms(db):
    ProvinceSplit.objects.create(code="610000", prefecture_share=D("30"), county_share=D("20"))
    ProvinceSplit.objects.create(code="620000", prefecture_share=D("10"), county_share=D("45"))
    for code in ("610000", "620000", "630000", "610000"):
        split, orm = _split(code), ProvinceSplit.objects.filter(code=code).first()
        shares = [(s.prefecture_share, s.county_share, s.province_share) for s in (split, orm) if s]
        assert (split is None) == (orm is None) and len(set(shares)) <= 1, code
    tiers = {t.code: (t.tier.number, t.tier.central_share) for t in ProvinceTier.objects.all()}
    assert {code: (t.number, t.central_share) for code, t in _tiers().items()} == tiers
