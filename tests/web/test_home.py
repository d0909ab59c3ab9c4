"""The home page's schools in scope per stage: read from the per-authority counts, equal to
the schools themselves; a school's own home page neither shows nor counts them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login_as
from zizhu.units.models import Level, Stage, Unit
from zizhu.units.services import UnitRow, units_import


def live_counts(code: str) -> list[tuple[str, int]]:
    """Schools below the unit per stage, counted from the units (inactive ones included)."""
    path = Unit.objects.get(code=code).path
    schools = Unit.objects.filter(path__startswith=path, level=Level.SCHOOL)
    return [(label, schools.filter(stage=value).count()) for value, label in Stage.choices]


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("province_operator", "610000"),
        ("prefecture_operator", "610100"),
        ("county_leader", "610112"),
    ],
)
def test_it_shows_the_schools_of_the_scope_per_stage(client, users, tree, username, code):
    # a school straight under the prefecture, one more under a county, one closed
    units_import(
        rows=[
            UnitRow("3461000001", "西安市直属中学", "school", "610100", stage="senior_high"),
            UnitRow("2161000001", "未央小学", "school", "610112", stage="compulsory"),
        ]
    )
    Unit.objects.filter(code="3661000002").update(is_active=False)
    login_as(client, users[username])
    context = client.get("/").context
    shown = [(str(label), n) for label, n in context["stage_counts"]]
    assert shown == [(str(label), n) for label, n in live_counts(code)]
    assert context["school_total"] == sum(n for _label, n in shown) > 0


def test_a_schools_home_page_counts_no_schools(client, users, tree):
    login_as(client, users["school_operator"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert "stage_counts" not in response.context
    counting = [q for q in captured if 'COUNT("units_unit"."id")' in q["sql"]]
    assert not counting
