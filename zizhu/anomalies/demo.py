"""Findings for the demo: a keyed synthetic world over the demo province's own schools, written
into the analytics store (ZIZHU_STORE), and a run of the checks for the generator's month.

The generator plants one subject of each case at the schools of the demo's school accounts in
turn, so each of them has findings of every risk level on its home page; the other planted
cases fall on random schools of the province, so every prefecture has some.
"""

import csv
import tempfile
from pathlib import Path

from django.conf import settings

from zizhu.accounts.roles import SCHOOL_ROLES
from zizhu.anomalies.models import Run, RunStatus
from zizhu.anomalies.services import run_create
from zizhu.jobs.services import job_run
from zizhu.units.models import Level, Stage, Unit

# the stages the generator reads from a units file (technical schools it makes up itself)
GENERATED_STAGES = (Stage.VOCATIONAL, Stage.SENIOR_HIGH, Stage.COMPULSORY, Stage.HIGHER)


def write_units_file(path: Path, province: Unit) -> int:
    """The province's schools of the generated stages as a units file (DESIGN §9)."""
    schools = (
        Unit.objects.filter(
            path__startswith=province.path, level=Level.SCHOOL, stage__in=GENERATED_STAGES
        )
        .order_by("code")
        .values_list("code", "name", "parent__code", "stage", "ownership")
    )
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "level", "parent_code", "stage", "ownership"])
        for code, name, parent, stage, ownership in schools.iterator():
            writer.writerow([code, name, Level.SCHOOL, parent, stage, ownership])
            count += 1
    return count


def demo_findings(*, province_code: str = "610000", seed: int = 1) -> Run:
    """Write the demo world into the store and run the checks of its month (synchronously)."""
    from zizhu.synth.generate import generate

    province = Unit.objects.get(code=province_code)
    focus = tuple(
        Unit.objects.filter(
            users__role__in=SCHOOL_ROLES,
            stage=Stage.VOCATIONAL,
            path__startswith=province.path,
        )
        .order_by("code")
        .values_list("code", flat=True)
        .distinct()
    )
    with tempfile.TemporaryDirectory() as folder:
        units_file = Path(folder) / "units.csv"
        write_units_file(units_file, province)
        result = generate(
            out=settings.ZIZHU_STORE,
            scale="demo",
            seed=seed,
            keyed=True,
            units_file=units_file,
            focus_schools=focus,
        )
    # the ground truth and summary are the generator's by-products, not part of the store
    for name in ("ground_truth", "decoys", "summary"):
        result.paths[name].unlink(missing_ok=True)
    run = run_create(month=result.month, enqueue=False)
    job_run(run.job_id)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        raise ValueError(f"the demo's check run of {run.month} failed: {run.error}")
    return run
