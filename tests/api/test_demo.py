"""The demo province through the API: `manage.py api_token operator_610112` gives a token that
reads only 未央区's subtree, and each report endpoint gives the page's figures for the demo
year. One test: loading the demo takes most of a minute."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from tests.conftest import login_as
from zizhu.accounts.models import User
from zizhu.api.views_reports import cell
from zizhu.catalogue.models import Category
from zizhu.funds.models import Filing
from zizhu.units.models import Unit


def _token(username: str) -> str:
    out = io.StringIO()
    call_command("api_token", username, "--days", "1", stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def _get(value: str, path: str):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {value}")
    assert response.status_code in (200, 404), (path, response.content[:300])
    return response


def _pages(value: str, path: str) -> list[dict]:
    rows = []
    while path:
        body = _get(value, path).json()
        rows += body["results"]
        path = body["next"]
    return rows


def _token_reads_only_its_county():
    value = _token("operator_610112")
    county = Unit.objects.get(code="610112")
    rows = _pages(value, "/api/v1/filings/?page_size=500")
    in_subtree = Filing.objects.filter(unit__path__startswith=county.path)
    assert rows and len(rows) == in_subtree.count()
    paths = dict(
        Unit.objects.filter(code__in={r["unit"] for r in rows}).values_list("code", "path")
    )
    assert all(path.startswith(county.path) for path in paths.values())
    other = Filing.objects.filter(unit__path__startswith=Unit.objects.get(code="610111").path)
    assert other.exists()
    assert _get(value, f"/api/v1/filings/{other.first().pk}/").status_code == 404


def _progress_matches_the_page(user: User, value: str):
    browser = login_as(Client(), user)
    for category in Category.values:
        page = browser.get(f"/funds/reports/progress/{category}/")
        assert page.status_code == 200
        api = _get(value, f"/api/v1/reports/progress/{category}/").json()
        assert api["year"] == page.context["report"].year
        page_rows = [
            (r.unit.code, r.counts.expected, r.counts.filed, r.counts.late)
            for r in page.context["rows"]
        ]
        api_rows = [
            (r["unit"], r["counts"]["expected"], r["counts"]["filed"], r["counts"]["late"])
            for r in api["rows"]
        ]
        assert api_rows == page_rows, category
        total = page.context["total"]
        assert (api["total"]["expected"], api["total"]["filed"]) == (total.expected, total.filed)


def _summary_matches_the_page(user: User, value: str) -> int:
    browser = login_as(Client(), user)
    figures = 0
    for category in Category.values:
        page = browser.get(f"/funds/reports/summary/{category}/")
        assert page.status_code == 200
        api = _get(value, f"/api/v1/reports/summary/{category}/").json()
        page_tables = [
            (t.key, [[cell(c) for c in row.cells] for row in t.rows])
            for t in page.context["tables"]
        ]
        api_tables = [(t["key"], [row["cells"] for row in t["rows"]]) for t in api["tables"]]
        assert api_tables == page_tables, (user.username, category)
        figures += sum(len(cells) for _key, rows in api_tables for cells in rows)
    return figures


@pytest.mark.django_db
def test_the_demo_through_the_api():
    call_command("demo", seed=7, stdout=io.StringIO())
    _token_reads_only_its_county()
    figures = 0
    for username in ("operator_610000", "operator_610100", "operator_610112"):
        user = User.objects.get(username=username)
        value = _token(username)
        _progress_matches_the_page(user, value)
        figures += _summary_matches_the_page(user, value)
    school_user = User.objects.filter(role="school_operator", unit__parent__code="610112").first()
    figures += _summary_matches_the_page(school_user, _token(school_user.username))
    assert figures > 100  # the demo year has figures to compare
