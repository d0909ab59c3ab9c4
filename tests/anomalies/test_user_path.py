"""The month as users live it, on a world the project did not make by hand: the generator's
raw files (units, one file per recipient list, one per register snapshot) go in through the
services behind the pages — each list imported, submitted and approved, each register
imported — and the month's run finds exactly the planted cases, on both engines. Nothing
exports the lists to the store beforehand: the run does that itself."""

import csv
import io

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.anomalies.engine.conftest import spark  # noqa: F401 - the session fixture
from zizhu.anomalies.models import Finding, Run
from zizhu.catalogue.models import AidProject
from zizhu.lib.tabular import read_table
from zizhu.recipients import services as recipients
from zizhu.recipients.validation import COLUMNS
from zizhu.registers.services import register_import
from zizhu.synth.generate import generate
from zizhu.units.models import Unit


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    return generate(
        out=out, scale="test", seed=23, keyed=False, hash_key=settings.ZIZHU_HASH_KEY.encode()
    )


def _live_the_month(world) -> None:
    call_command("import_units", str(world.paths["units"]), stdout=io.StringIO())
    projects = {p.code: p for p in AidProject.objects.all()}
    with world.paths["manifest"].open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    for entry in manifest:
        imported = recipients.recipient_list_import(
            school=Unit.objects.get(code=entry["school_code"]),
            project=projects[entry["project"]],
            year=int(entry["school_year"]),
            term=entry["term"],
            rows=read_table(world.out / entry["file"], COLUMNS).rows,
        )
        draft = imported.recipient_list
        recipients.recipient_list_submit(recipient_list=draft, actor=None)
        recipients.recipient_list_approve(recipient_list=draft, actor=None)
    for path in sorted((world.out / "registers").glob("*.csv")):
        kind, month = path.stem.rsplit("_", 1)
        register_import(kind=kind, month=month, path=path)


def _truth(world) -> set[tuple]:
    return {
        (int(r["rule"]), r["school_code"], int(r["pid"]), r["counterpart_school_code"] or "")
        for r in world.ground_truth
    }


def _found() -> set[tuple]:
    return set(
        Finding.objects.values_list("rule", "school__code", "pid", "counterpart_school_code")
    )


def _assert_exact(world) -> None:
    truth = _truth(world)
    assert {rule for rule, *_ in truth} == set(range(1, 25))
    found = _found()
    assert (truth - found, found - truth) == (set(), set())
    # every finding names its student's row of an approved list
    assert not Finding.objects.filter(row__isnull=True).exists()


def test_the_user_path_finds_exactly_the_planted_cases_on_duckdb(db, world):
    _live_the_month(world)
    out = io.StringIO()
    call_command("run_checks", month=world.month, stdout=out)
    assert out.getvalue().splitlines()[-1] == f"total\t{len(world.ground_truth)}"
    _assert_exact(world)
    # the lists in force for October 2025: autumn 2025 and both terms of school year 2022
    with world.paths["manifest"].open(encoding="utf-8") as handle:
        periods = [(row["school_year"], row["term"]) for row in csv.DictReader(handle)]
    in_force = [
        p for p in periods if p in {("2025", "autumn"), ("2022", "autumn"), ("2022", "spring")}
    ]
    assert Run.objects.get().lists.count() == len(in_force) < len(periods)


@pytest.mark.spark
def test_the_user_path_finds_exactly_the_planted_cases_on_spark(db, world, spark):  # noqa: F811
    _live_the_month(world)
    call_command("run_checks", month=world.month, engine="spark", stdout=io.StringIO())
    _assert_exact(world)


def test_a_list_not_yet_approved_is_not_checked(db, world):
    _live_the_month(world)
    subject = next(r for r in world.ground_truth if int(r["rule"]) == 23)  # aged 20, grant list
    school = Unit.objects.get(code=subject["school_code"])
    listed = school.recipient_lists.get(
        project__code="vocational_national_grant", year=2025, term="autumn"
    )
    draft = recipients.recipient_list_new_version(recipient_list=listed, actor=None)
    # the new version would drop nobody; until approved, the approved version is the one in force
    call_command("run_checks", month=world.month, stdout=io.StringIO())
    run = Run.objects.get()
    assert listed in run.lists.all() and draft not in run.lists.all()
    _assert_exact(world)
