"""The summary runs the same number of queries for a node with 2 children as for one with
many: every table is one grouped query, whatever the number of child units and rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login_as
from tests.recipients.factories import make_list
from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Filing
from zizhu.funds.services import allocation_create
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import
from zizhu.vouchers.models import Voucher

from .test_summary import YEAR, build_year

NEW_COUNTIES = ["610113", "610114", "610115", "610116"]


def _count(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def _grow(tree) -> None:
    """Four more counties under 610100 with two schools each, and four more schools under
    610112, each with money, an approved list and a voucher."""
    rows = [UnitRow(code, f"区县{code}", "county", "610100") for code in NEW_COUNTIES]
    schools = [(f"36610002{i:02d}", NEW_COUNTIES[i % 4]) for i in range(8)]
    schools += [(f"36610003{i:02d}", "610112") for i in range(4)]
    rows += [
        UnitRow(code, f"学校{code}", "school", parent, stage="vocational")
        for code, parent in schools
    ]
    units_import(rows=rows)
    unit = {u.code: u for u in Unit.objects.all()}
    grant = AidProject.objects.get(code="vocational_national_grant")
    prefecture = Filing.objects.get(unit__code="610100", year=YEAR, project=grant)
    county = Filing.objects.get(unit__code="610112", year=YEAR, project=grant)
    for code in NEW_COUNTIES:
        allocation_create(
            source=prefecture,
            target_unit=unit[code],
            amounts={"central": Decimal("5.00")},
            actor=None,
        )
    for i, (code, parent) in enumerate(schools):
        if parent == "610112":
            allocation_create(
                source=county,
                target_unit=unit[code],
                amounts={"county": Decimal("1.00")},
                actor=None,
            )
        make_list(unit[code], 100 + i, year=YEAR, term="autumn", approve=True)
        Voucher.objects.create(
            unit=unit[code], year=YEAR, project=grant, students=1, amount=Decimal("3.00")
        )


@pytest.mark.parametrize(
    ("username", "category", "unit"),
    [
        ("prefecture_operator", "national", "610100"),  # the authority tables
        ("prefecture_operator", "local", "610100"),
        ("county_operator", "national", "610112"),  # the county tables
        ("county_operator", "school", "610112"),
    ],
)
def test_it_runs_a_constant_number_of_queries(
    client, tree, users, django_assert_num_queries, username, category, unit
):
    build_year(tree)
    login_as(client, users[username])
    path = f"/funds/reports/summary/{category}/"
    params = {"unit": unit, "year": YEAR}
    few = _count(client, path, params)
    _grow(tree)
    with django_assert_num_queries(few):
        response = client.get(path, params)
    tables = response.context["tables"]
    assert max(len(t.rows) for t in tables) >= 6  # the many children are all there


def test_a_named_year_reads_no_years_and_shows_what_the_default_shows(client, tree, users):
    """The years in scope give only the default year: a request that names a year does not
    read them (one query fewer), and shows the same tables as the default view."""
    build_year(tree)
    login_as(client, users["prefecture_operator"])
    path = "/funds/reports/summary/national/"
    client.get(path)  # the session's first request loads what later ones reuse
    with CaptureQueriesContext(connection) as default:
        first = client.get(path)
    with CaptureQueriesContext(connection) as named:
        chosen = client.get(path, {"year": YEAR})
    assert first.context["scope"].year == chosen.context["scope"].year == YEAR
    assert len(named) == len(default) - 1
    assert not any("UNION" in q["sql"] for q in named.captured_queries)
    bodies = [[str(t.body) for t in r.context["tables"]] for r in (first, chosen)]
    assert bodies[0] == bodies[1] and any(bodies[0])
    with CaptureQueriesContext(connection) as refused:  # not a year: the default, as before
        assert client.get(path, {"year": "abc"}).context["scope"].year == YEAR
    assert len(refused) == len(default)
