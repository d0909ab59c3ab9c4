import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from zizhu.demo.province import _school_rows, demo_password
from zizhu.lib.codes import school_code_problem
from zizhu.units.models import Level, Unit


@pytest.fixture
def demo_lines(db):
    out = io.StringIO()
    call_command("demo", seed=7, stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines() if line.startswith("DEMO")]


def _it_builds_the_shaanxi_demo_tree(demo_lines):
    province = Unit.objects.get(code="610000")
    below = Unit.objects.filter(path__startswith=province.path)
    assert below.filter(level=Level.PREFECTURE).count() == 10
    assert below.filter(level=Level.COUNTY).count() == 107
    stages = dict(below.filter(level=Level.SCHOOL).values_list("stage").annotate(n=Count("id")))
    assert stages["vocational"] == 225
    assert stages["senior_high"] == 444
    assert stages["compulsory"] >= 300
    assert 10 <= stages["higher"] <= 15
    direct = below.filter(level=Level.SCHOOL, parent__level__in=["province", "prefecture"])
    assert direct.filter(parent__level="province").exists()
    assert direct.filter(parent__level="prefecture").exists()


def _it_gives_every_school_a_valid_code(demo_lines):
    for code, stage in Unit.objects.filter(level=Level.SCHOOL).values_list("code", "stage"):
        assert school_code_problem(code, stage=stage, province="610000") is None, code


def _it_prints_one_account_per_role_at_the_sample_units(demo_lines):
    roles = {fields[1] for fields in demo_lines}
    assert roles == {
        "operator",
        "supervisor",
        "center_leader",
        "school_operator",
        "school_reviewer",
        "sysadmin",
        "secadmin",
        "auditor",
    }
    units = {fields[2] for fields in demo_lines}
    assert {"610000", "610100", "610112"} <= units
    schools = Unit.objects.filter(code__in=units, level=Level.SCHOOL)
    assert sorted(s.parent.code for s in schools) == ["610111", "610112", "610112"]


def _it_lets_every_demo_account_log_in(client, demo_lines):
    for _demo, role, _unit, username, password in demo_lines:
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": password})
        expected = "/accounts/login/otp/" if role in {"sysadmin", "secadmin", "auditor"} else "/"
        assert response.status_code == 302 and response["Location"] == expected, username
        if expected == "/":
            assert client.get("/").status_code == 200


def _it_is_deterministic_for_a_seed(demo_lines):
    province = Unit.objects.get(code="610000")
    prefectures = list(Unit.objects.filter(level=Level.PREFECTURE).order_by("code"))
    counties = list(Unit.objects.filter(level=Level.COUNTY).order_by("code"))
    first = _school_rows(random.Random(7), counties, prefectures, province)
    second = _school_rows(random.Random(7), counties, prefectures, province)
    assert first == second
    assert _school_rows(random.Random(8), counties, prefectures, province) != first
    assert {fields[4] for fields in demo_lines} == {demo_password(7)}


def _it_refuses_a_database_that_is_not_empty(demo_lines):
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo", seed=7, stdout=io.StringIO())


def _every_project_of_the_demo_catalogue_has_a_school_that_files_it(demo_lines):
    from zizhu.catalogue.models import AidProject
    from zizhu.catalogue.selectors import projects_for_unit

    shaanxi = AidProject.objects.filter(province__code="610000", is_active=True)
    assert shaanxi.count() == 6  # the demo province's own local projects
    offered = set()
    for stage in Unit.objects.filter(level=Level.SCHOOL).values_list("stage", flat=True).distinct():
        school = Unit.objects.filter(level=Level.SCHOOL, stage=stage).first()
        offered |= set(projects_for_unit(school).values_list("code", flat=True))
    active = set(AidProject.objects.filter(is_active=True).values_list("code", flat=True))
    assert active - offered == set()


# One build of the demo (~15 s, more on a slow machine) for all of this module's checks,
# in the order above: each check was a test of its own, and building the demo for each took
# minutes of the suite's run.
def test_each_check_of_one_demo_build(demo_lines, client):
    _it_builds_the_shaanxi_demo_tree(demo_lines)
    _it_gives_every_school_a_valid_code(demo_lines)
    _it_prints_one_account_per_role_at_the_sample_units(demo_lines)
    _it_lets_every_demo_account_log_in(client, demo_lines)
    _it_is_deterministic_for_a_seed(demo_lines)
    _it_refuses_a_database_that_is_not_empty(demo_lines)
    _every_project_of_the_demo_catalogue_has_a_school_that_files_it(demo_lines)
