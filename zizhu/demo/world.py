"""The demo's recipient lists, registers and monthly check as one world.

1. `generate` writes a raw synthetic world over the demo province's own schools — one CSV per
   recipient list and per register snapshot, as a school or the national system would hand
   them over — with planted cases of every rule, one of each at the demo school accounts in turn.
2. Every list is imported approved and every snapshot imported through the services behind a
   school's upload and the administrator's register import (`world_load`).
3. The funds year is then planned on those lists (`aided_by_lists`: a school is allocated for
   the students on its lists), and `lists_complete` adds the lists the funds year still lacks:
   the other term of a project, projects the generator has no lists of (preschool aid), and the
   school and social aid the schools paid out — with new persons, so nothing new is flagged.
4. The month's check run reads the approved lists of the database, like any run (`month_run`).
"""

import csv
import random
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pacsv
from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from zizhu.accounts.roles import SCHOOL_ROLES
from zizhu.anomalies.models import Run, RunStatus
from zizhu.anomalies.services import run_create
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.models import Balance, Filing
from zizhu.jobs.services import job_run
from zizhu.lib.idnumber import check_char
from zizhu.lib.periods import AUTUMN, SPRING, Month
from zizhu.lib.tabular import read_table
from zizhu.recipients.models import RecipientList, RecipientRow, Status
from zizhu.recipients.services import ListLoad, recipient_lists_load
from zizhu.recipients.validation import COLUMNS
from zizhu.registers.services import register_import
from zizhu.synth.persons import GIVEN, SURNAMES
from zizhu.units.models import Level, Stage, Unit

# the stages the generator reads from a units file (technical schools it makes up itself)
GENERATED_STAGES = (Stage.VOCATIONAL, Stage.SENIOR_HIGH, Stage.COMPULSORY, Stage.HIGHER)
# age range (full years on the checked month's first day) of new students of each stage
AGES = {"preschool": (3, 5), "compulsory": (6, 14), "senior_high": (15, 17)}
AGES |= {"vocational": (15, 17), "higher": (18, 21), "special": (7, 15)}
AID_AMOUNTS = (500, 800, 1000, 1500, 2000)  # yuan per student of school and social aid


@dataclass
class World:
    month: str
    lists: int
    list_rows: int
    snapshots: int
    register_rows: int
    taken: set[str]  # every ID number of the generated world


def funds_terms(year: int) -> list[tuple[int, str]]:
    """The terms of a funds year Y: spring of school year Y - 1 and autumn of school year Y."""
    return [(year - 1, SPRING), (year, AUTUMN)]


def write_units_file(path: Path, province: Unit) -> int:
    """The province's schools of the generated stages as a units file (docs/registers.md)."""
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


def _import_lists(out: Path, schools: dict[str, Unit], projects: dict[str, AidProject]):
    with (out / "lists_manifest.csv").open(encoding="utf-8") as handle:
        manifest = list(csv.DictReader(handle))
    loads = [
        ListLoad(
            school=schools[entry["school_code"]],
            project=projects[entry["project"]],
            year=int(entry["school_year"]),
            term=entry["term"],
            rows=read_table(out / entry["file"], COLUMNS).rows,
        )
        for entry in manifest
    ]
    return len(loads), recipient_lists_load(lists=loads)


def _import_registers(out: Path) -> tuple[int, int, set[str]]:
    snapshots = rows = 0
    ids: set[str] = set()
    for path in sorted((out / "registers").glob("*.csv")):
        kind, month = path.stem.rsplit("_", 1)
        snapshot = register_import(kind=kind, month=month, path=path)
        snapshots += 1
        rows += snapshot.rows
        ids.update(pacsv.read_csv(path).column("id_number").cast("string").to_pylist())
    return snapshots, rows, ids


def world_generate(*, out: Path, province: Unit, year: int, seed: int):
    """The raw synthetic world of the demo under `out` (a GenerateResult, with its ground
    truth): the province's schools, the checked month October of `year`, one planted case of
    each rule at the demo's school accounts in turn, pids as the import will key them."""
    from zizhu.synth.generate import generate

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
    out.mkdir(parents=True, exist_ok=True)
    units_file = out / "units.csv"
    write_units_file(units_file, province)
    return generate(
        out=out / "world",
        scale="demo",
        seed=seed,
        month=f"{year}-10",
        keyed=False,
        units_file=units_file,
        focus_schools=focus,
        hash_key=settings.ZIZHU_HASH_KEY.encode(),
    )


def world_load(*, province: Unit, year: int, seed: int) -> World:
    """Generate the demo's world and import its lists (approved) and register snapshots."""
    schools = {
        u.code: u for u in Unit.objects.filter(path__startswith=province.path, level=Level.SCHOOL)
    }
    projects = {p.code: p for p in AidProject.objects.all()}
    with tempfile.TemporaryDirectory() as folder:
        result = world_generate(out=Path(folder), province=province, year=year, seed=seed)
        lists, list_rows = _import_lists(result.out, schools, projects)
        snapshots, register_rows, taken = _import_registers(result.out)
    taken.update(RecipientRow.objects.values_list("id_number", flat=True))
    return World(result.month, lists, list_rows, snapshots, register_rows, taken)


def aided_by_lists(year: int, codes: list[str]) -> dict[tuple[int, int], int]:
    """(school id, project id) → students aided in funds year `year`: the larger of the two
    terms' approved list rows, for the projects of `codes`."""
    terms = Q()
    for school_year, term in funds_terms(year):
        terms |= Q(year=school_year, term=term)
    rows = (
        RecipientList.objects.filter(terms, status=Status.APPROVED, project__code__in=codes)
        .values("school_id", "project_id", "year")
        .annotate(n=Sum("row_count"))
    )
    aided: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["school_id"], row["project_id"])
        aided[key] = max(aided.get(key, 0), row["n"])
    return aided


class _Persons:
    """New students with valid ID numbers that no other person of the demo has."""

    def __init__(self, seed: int, reference: date, taken: set[str]):
        self.rng = random.Random(f"demo-persons-{seed}")  # noqa: S311 - synthetic data
        self.reference = reference
        self.taken = taken

    def _id(self, area: str, stage: str) -> tuple[str, date]:
        youngest, oldest = AGES.get(stage, (6, 17))
        while True:
            born = date(
                self.reference.year - self.rng.randint(youngest + 1, oldest),
                self.rng.randint(1, 12),
                self.rng.randint(1, 28),
            )
            first17 = f"{area}{born:%Y%m%d}{self.rng.randint(1, 999):03d}"
            number = first17 + check_char(first17)
            if number not in self.taken:
                self.taken.add(number)
                return number, born

    def rows(self, school: Unit, n: int, amount: int) -> list[tuple[int, dict]]:
        area = school.parent.code[:6] if school.parent_id else "610100"
        made = []
        for index in range(n):
            number, _born = self._id(area, school.stage)
            name = self.rng.choice(SURNAMES) + "".join(
                self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2)))
            )
            made.append((index + 2, {"id_number": number, "name": name, "amount": str(amount)}))
        return made


def lists_complete(
    *, year: int, seed: int, per_student: dict[str, int], taken: set[str], month: str
) -> int:
    """Add the lists funds year `year` lacks; returns the rows added.

    - National and local projects of `per_student` (yuan a year): each school that received
      money for n = received / per_student students gets lists of n students in both terms.
    - School and social aid: each school's list pays 60–95 % of its funds (its own, other and
      received funds) in the autumn term.
    """
    persons = _Persons(seed, Month.parse(month).first_day, taken)
    rng = random.Random(f"demo-aid-{seed}-{year}")  # noqa: S311 - synthetic data
    loads: list[ListLoad] = []

    def add(school: Unit, project: AidProject, school_year: int, term: str, n: int, amount):
        """A supplementary list (the next batch) of `n` new students."""
        batch = batches.get((school.pk, project.pk, school_year, term), 0) + 1
        batches[(school.pk, project.pk, school_year, term)] = batch
        rows = persons.rows(school, n, amount)
        loads.append(ListLoad(school, project, school_year, term, rows, batch))

    received = (
        Balance.objects.filter(
            filing__year=year,
            filing__unit__level=Level.SCHOOL,
            filing__project__code__in=list(per_student),
        )
        .values("filing__unit_id", "filing__project_id", "filing__project__code")
        .annotate(total=Sum("received"))
    )
    existing: dict[tuple, int] = {}
    batches: dict[tuple, int] = {}
    for r in (
        RecipientList.objects.filter(status=Status.APPROVED)
        .values("school_id", "project_id", "year", "term")
        .annotate(n=Sum("row_count"), last=Max("batch"))
    ):
        existing[(r["school_id"], r["project_id"], r["year"], r["term"])] = r["n"]
        batches[(r["school_id"], r["project_id"], r["year"], r["term"])] = r["last"]
    units = Unit.objects.select_related("parent").in_bulk([r["filing__unit_id"] for r in received])
    projects = AidProject.objects.in_bulk()
    for row in received:
        yearly = per_student[row["filing__project__code"]]
        aided = int(row["total"] // yearly)
        school, project = units[row["filing__unit_id"]], projects[row["filing__project_id"]]
        for school_year, term in funds_terms(year):
            missing = aided - existing.get((school.pk, project.pk, school_year, term), 0)
            if missing > 0:
                add(school, project, school_year, term, missing, yearly // 2)
    own = (
        Filing.objects.filter(year=year, project__category__in=[Category.SCHOOL, Category.SOCIAL])
        .select_related("unit__parent", "project")
        .annotate(received=Sum("balances__received"))
        .order_by("unit__code", "project__code")
    )
    for filing in own:
        funds = sum(
            (v or Decimal(0))
            for v in (filing.school_funds, filing.social_funds, filing.other_funds, filing.received)
        )
        amount = rng.choice(AID_AMOUNTS)
        n = int(funds * rng.randint(60, 95) // 100 // amount)
        if n:
            add(filing.unit, filing.project, year, AUTUMN, n, amount)
    return recipient_lists_load(lists=loads)


def month_run(month: str) -> Run:
    """The month's check run, carried out here (as `run_checks` does)."""
    run = run_create(month=month, enqueue=False)
    job_run(run.job_id)
    run.refresh_from_db()
    if run.status != RunStatus.DONE:
        raise ValueError(f"the demo's check run of {run.month} failed: {run.error}")
    return run


def list_counts() -> dict[str, int]:
    totals = RecipientList.objects.filter(status=Status.APPROVED).aggregate(
        lists=Count("id"), rows=Sum("row_count")
    )
    return {"lists": totals["lists"], "rows": totals["rows"] or 0}


def work_in_progress(*, year: int) -> None:
    """What the demo's people are in the middle of, so that every role has something on its
    to-do: at the first demo school, this term's grant list awaits the reviewer and its
    tuition-waiver list was returned; the school has explained one of its findings, which
    awaits the county's review."""
    from zizhu.accounts.models import User
    from zizhu.accounts.roles import Role
    from zizhu.anomalies.models import Finding, FindingStatus, Verdict
    from zizhu.anomalies.services import explanation_submit
    from zizhu.recipients.services import (
        recipient_list_import,
        recipient_list_return,
        recipient_list_submit,
    )

    reviewer = User.objects.filter(role=Role.SCHOOL_REVIEWER).select_related("unit").first()
    if reviewer is None:
        return
    school = reviewer.unit
    operator = User.objects.get(role=Role.SCHOOL_OPERATOR, unit=school)
    # this term's lists: last autumn's students, one year on
    today = Month.parse(timezone.localdate().strftime("%Y-%m"))
    for code, returned in (
        ("vocational_national_grant", False),
        ("vocational_tuition_waiver", True),
    ):
        last = RecipientList.objects.filter(
            school=school, project__code=code, year=year, term=AUTUMN, status=Status.APPROVED
        ).first()
        if last is None:
            continue
        rows = [
            (
                index + 2,
                {
                    "id_number": row.id_number,
                    "name": row.name,
                    "amount": str(row.amount),
                    "grade": row.grade,
                    "major": row.major,
                    "phone": row.phone,
                },
            )
            for index, row in enumerate(last.rows.order_by("row_number"))
        ]
        draft = recipient_list_import(
            school=school,
            project=last.project,
            year=today.school_year,
            term=today.term,
            rows=rows,
            actor=operator,
        ).recipient_list
        recipient_list_submit(recipient_list=draft, actor=operator)
        if returned:
            recipient_list_return(
                recipient_list=draft, comment="请核对新生的联系电话后重新提交", actor=reviewer
            )
    finding = (
        Finding.objects.filter(school=school, status=FindingStatus.OPEN)
        .select_related("school")
        .order_by("risk", "rule")
        .first()
    )
    if finding is not None:
        explanation_submit(
            finding=finding,
            verdict=Verdict.FALSE,
            note="经核实，该生已于上学期转学，学籍信息尚未更新。",
            actor=operator,
        )
