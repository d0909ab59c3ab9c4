"""The demo shows findings: the demo school accounts have to-do counts, the county sees its
schools' findings, the province sees counts per prefecture."""

import io

import pytest
from django.core.management import call_command

from tests.conftest import login_as
from zizhu.accounts.models import User
from zizhu.anomalies.models import Finding, Run, RunStatus
from zizhu.synth.generate import DEFAULT_MONTH
from zizhu.units.models import Level


@pytest.fixture
def demo(db, settings):
    call_command("demo", seed=1, stdout=io.StringIO())
    return settings


def test_the_demo_accounts_see_findings(client, demo):
    run = Run.objects.get()
    assert (run.status, run.month, run.skipped) == (RunStatus.DONE, DEFAULT_MONTH, 0)
    assert run.total == Finding.objects.count() > 50

    school_users = User.objects.filter(role="school_operator").select_related("unit")
    assert school_users.count() == 3
    for user in school_users:
        login_as(client, user)
        todo = client.get("/").context["todo"]
        assert todo is not None and todo.month == DEFAULT_MONTH, user.username
        assert {level.risk for level in todo.levels} == {"high", "medium", "low"}, user.username
        link = todo.levels[0].rules[0].url
        assert client.get(link).context["page"].paginator.count >= 1

    county = User.objects.get(username="operator_610112")
    login_as(client, county)
    grant = client.get("/anomalies/national-grant/")
    waiver = client.get("/anomalies/tuition-waiver/")
    schools = {
        row.unit.code
        for response in (grant, waiver)
        for row in response.context["children"]
        if row.total
    }
    demo_schools = {u.unit.code for u in school_users if u.unit.parent.code == "610112"}
    assert demo_schools <= schools
    in_county = Finding.objects.filter(school__path__startswith=county.unit.path).count()
    assert grant.context["total"] + waiver.context["total"] == in_county

    province = User.objects.get(username="operator_610000")
    login_as(client, province)
    children = client.get("/anomalies/national-grant/").context["children"]
    prefectures = [row for row in children if row.unit.level == Level.PREFECTURE]
    assert len(prefectures) == 10
    assert sum(1 for row in prefectures if row.total) >= 3
    assert (
        sum(row.total for row in children)
        == Finding.objects.filter(programme="national_grant").count()
    )


def test_the_generator_plants_cases_of_every_risk_at_the_focus_schools(tmp_path):
    from zizhu.synth.generate import generate

    plain = generate(out=tmp_path / "plain", scale="test", seed=3, keyed=True)
    schools = sorted({row["school_code"] for row in plain.ground_truth})
    focus = (schools[0], schools[-1])
    focused = generate(
        out=tmp_path / "focused", scale="test", seed=3, keyed=True, focus_schools=focus
    )
    for code in focus:
        risks = {row["risk"] for row in focused.ground_truth if row["school_code"] == code}
        assert risks == {"high", "medium", "low"}, code
    # the engine finds exactly the ground truth of the focused world too
    from zizhu.anomalies.engine import run_duckdb

    found = run_duckdb(tmp_path / "focused", focused.month)
    key = ("rule", "school_code", "pid", "counterpart_school_code")
    engine = set(zip(*(found.column(c).to_pylist() for c in key), strict=True))
    truth = {
        (int(r["rule"]), r["school_code"], int(r["pid"]), r["counterpart_school_code"] or None)
        for r in focused.ground_truth
    }
    assert engine == truth
    # the same cases, only placed differently
    assert len({r["scenario"] for r in focused.ground_truth}) == len(
        {r["scenario"] for r in plain.ground_truth}
    )
    with pytest.raises(ValueError, match="not a vocational school"):
        generate(out=tmp_path / "bad", scale="test", seed=3, keyed=True, focus_schools=("x",))
