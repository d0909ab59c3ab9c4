"""Planted cases and decoys: small sets of persons whose every record is written here.

Planted persons come from their own person blocks, so none of them shares an ID or a phone
with the background by chance; the ground truth is then exactly what the rules find among
their records (`zizhu.synth.truth`). Each scenario plants `scale.plants` subjects, on the
tuition-waiver list, the national-grant list or both in turn, so every rule gets cases for
both programmes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from zizhu.lib.periods import AUTUMN, SPRING
from zizhu.synth.tables import (
    ACTIVE,
    NATIONAL_GRANT,
    SCHOLARSHIP,
    TUITION_WAIVER,
    month_shift,
    other_term,
)
from zizhu.synth.world import World

MEMBERSHIPS = ((TUITION_WAIVER,), (NATIONAL_GRANT,), (TUITION_WAIVER, NATIONAL_GRANT))
NEAR_SHARE = 0.7  # counterparts in the subject's own province


@dataclass(frozen=True)
class Rec:
    """One planted row: of a register snapshot or a recipient list (`table` as in tables.Table)."""

    table: tuple
    stage: str
    province: str
    school: int
    code: str
    g: int
    phone: int = -1
    project: str = ""
    status: str = ACTIVE
    graduation_year: int = 0


@dataclass(frozen=True)
class Subject:
    g: int
    province: str
    school: int
    code: str
    projects: tuple[str, ...]


@dataclass
class Decoy:
    name: str
    subject: Subject
    checks: tuple[str, ...]  # rule counterparts (or checks) it must not trigger
    counterparts: list[Rec] = field(default_factory=list)


class Planter:
    def __init__(self, world: World, rng: np.random.Generator):
        self.world = world
        self.rng = rng
        self.recs: list[Rec] = []
        self.labels: dict[int, str] = {}  # person → the scenario that planted it
        self.decoys: list[Decoy] = []
        self._taken: dict[str, int] = {}
        month = world.month
        self.month = str(month)
        self.current = ("lists", month.school_year, month.term)
        self.previous = ("lists", *other_term(month))

    # --- persons and schools

    def person(self, block: str, label: str) -> int:
        index = self._taken.get(block, 0)
        persons = self.world.persons.block(block)
        if index >= persons.size:
            raise ValueError(f"planted block {block} is full")
        self._taken[block] = index + 1
        self.labels[persons.base + index] = label
        return persons.base + index

    def school(
        self,
        stage: str,
        near: Subject | None = None,
        *,
        kind: str = "all",
        avoid: Subject | None = None,
    ) -> tuple[str, int]:
        """A random school of `stage`: `kind` internal / register picks by where its lists are."""
        options = {}
        for province in self.world.provinces:
            group = self.world.schools.get((stage, province))
            candidates = np.arange(len(group) if group else 0)
            if group and kind != "all":
                candidates = candidates[group.internal == (kind == "internal")]
            if avoid is not None and avoid.province == province:
                candidates = candidates[candidates != avoid.school]
            if len(candidates):
                options[province] = candidates
        if not options:
            raise ValueError(f"the world has too few {stage} schools to plant its cases")
        if near and near.province in options and self.rng.random() < NEAR_SHARE:
            province = near.province
        else:
            province = sorted(options)[int(self.rng.integers(len(options)))]
        candidates = options[province]
        return province, int(candidates[int(self.rng.integers(len(candidates)))])

    # --- records

    def add(self, table: tuple, stage: str, where: tuple[str, int], g: int, **fields) -> Rec:
        province, school = where
        code = self.world.school_code(stage, province, school)
        rec = Rec(table, stage, province, school, code, g, **fields)
        self.recs.append(rec)
        return rec

    def listed(self, table: tuple, stage: str, where, g: int, project: str, phone: int) -> Rec:
        return self.add(table, stage, where, g, phone=phone, project=project)

    def register(self, kind: str, stage: str, where, g: int, *, at: str | None = None, **fields):
        return self.add(("registers", kind, at or self.month), stage, where, g, **fields)

    def subject(
        self,
        label: str,
        projects: tuple[str, ...],
        block: str = "plant_teen",
        phone: int | None = None,
        at: tuple[str, int] | None = None,
    ) -> Subject:
        """A 中职 student on this term's lists for `projects`, enrolled (在籍) at the school (`at`,
        or a random one); the phone is the student's own unless a case shares another's."""
        g = self.person(block, label)
        phone = g if phone is None else phone
        province, school = at if at is not None else self.school("vocational")
        code = self.world.school_code("vocational", province, school)
        for project in projects:
            self.listed(self.current, "vocational", (province, school), g, project, phone)
        self.register("enrolment_vocational", "vocational", (province, school), g, phone=phone)
        return Subject(g, province, school, code, projects)


# --- planted cases: each adds the counterpart records of one subject --------------------------

Scenario = Callable[[Planter, Subject], None]


def _recipient(kind: str, stage: str, lists: str, project: str) -> Scenario:
    def plant(p: Planter, s: Subject) -> None:
        where = p.school(stage, s, kind=lists)
        if lists == "register":
            p.register(kind, stage, where, s.g, project=project)
        else:
            p.listed(p.current, stage, where, s.g, project, s.g)

    return plant


def _two_higher_schools(p: Planter, s: Subject) -> None:
    p.register(
        "recipients_higher",
        "higher",
        p.school("higher", s, kind="register"),
        s.g,
        project="higher_national_grant",
    )
    p.listed(
        p.current,
        "higher",
        p.school("higher", s, kind="internal"),
        s.g,
        "higher_national_encouragement",
        s.g,
    )


def _two_projects_one_school(p: Planter, s: Subject) -> None:
    where = p.school("compulsory", s, kind="register")
    for project in ("compulsory_boarding_allowance", "compulsory_nutrition"):
        p.register("recipients_compulsory", "compulsory", where, s.g, project=project)


def _other_vocational(project: str) -> Scenario:
    def plant(p: Planter, s: Subject) -> None:
        where = p.school("vocational", s, avoid=s)
        p.listed(p.current, "vocational", where, s.g, project, s.g)
        if project != SCHOLARSHIP:  # a student of two schools: enrolled at both
            p.register("enrolment_vocational", "vocational", where, s.g, phone=s.g)

    return plant


def _enrolled(kind: str, stage: str) -> Scenario:
    def plant(p: Planter, s: Subject) -> None:
        avoid = s if stage == "vocational" else None
        p.register(kind, stage, p.school(stage, s, avoid=avoid), s.g, phone=s.g)

    return plant


def _aided_3y(terms: tuple[str, ...], own_school: bool) -> Scenario:
    def plant(p: Planter, s: Subject) -> None:
        year = p.world.month.school_year - 3
        where = (s.province, s.school) if own_school else p.school("vocational", s, avoid=s)
        for term in terms:
            p.listed(("lists", year, term), "vocational", where, s.g, TUITION_WAIVER, s.g)

    return plant


def _graduated(year_delta: int) -> Scenario:
    def plant(p: Planter, s: Subject) -> None:
        year = p.world.month.school_year + year_delta
        p.register(
            "graduates_senior_high",
            "senior_high",
            p.school("senior_high", s),
            s.g,
            graduation_year=year,
        )

    return plant


def _nothing(p: Planter, s: Subject) -> None:
    """The subject's block (an age window) is the case."""


def _phone_with_child(p: Planter, s: Subject) -> None:
    sibling = p.person("plant_child", p.labels[s.g])
    p.register("enrolment_compulsory", "compulsory", p.school("compulsory", s), sibling, phone=s.g)


def _phone_with_inactive_enrolment(p: Planter, s: Subject) -> None:
    # every enrolment row that carries a phone counts, whatever its status (docs/domain.md, anomaly
    # alerts)
    other = p.person("plant_teen", p.labels[s.g])
    p.register(
        "enrolment_senior_high",
        "senior_high",
        p.school("senior_high", s),
        other,
        phone=s.g,
        status="转出",
    )


def _phone_between_recipients(p: Planter, s: Subject) -> None:
    # two 中职 recipients with one number: both are subjects with a finding
    projects = MEMBERSHIPS[int(p.rng.integers(len(MEMBERSHIPS)))]
    p.subject(p.labels[s.g], projects, phone=s.g)


def _phone_three_ways(p: Planter, s: Subject) -> None:
    label = p.labels[s.g]
    pupil = p.person("plant_teen", label)
    p.register("enrolment_senior_high", "senior_high", p.school("senior_high", s), pupil, phone=s.g)
    student = p.person("plant_adult", label)
    p.listed(
        p.current,
        "higher",
        p.school("higher", s, kind="internal"),
        student,
        "higher_national_grant",
        s.g,
    )


# name → (subject's person block, scenario)
CASES: dict[str, tuple[str, Scenario]] = {
    "recipient_higher_register": (
        "plant_teen",
        _recipient("recipients_higher", "higher", "register", "higher_national_grant"),
    ),
    "recipient_higher_list": (
        "plant_teen",
        _recipient("", "higher", "internal", "higher_national_grant"),
    ),
    "recipient_two_higher_schools": ("plant_teen", _two_higher_schools),
    "recipient_senior_high_register": (
        "plant_teen",
        _recipient(
            "recipients_senior_high", "senior_high", "register", "senior_high_national_grant"
        ),
    ),
    "recipient_senior_high_list": (
        "plant_teen",
        _recipient("", "senior_high", "internal", "senior_high_fee_waiver"),
    ),
    "recipient_compulsory_register": (
        "plant_teen",
        _recipient(
            "recipients_compulsory", "compulsory", "register", "compulsory_boarding_allowance"
        ),
    ),
    "recipient_compulsory_list": (
        "plant_teen",
        _recipient("", "compulsory", "internal", "compulsory_nutrition"),
    ),
    "recipient_compulsory_two_projects": ("plant_teen", _two_projects_one_school),
    "recipient_other_vocational_scholarship": ("plant_teen", _other_vocational(SCHOLARSHIP)),
    "recipient_other_vocational_both_listed": ("plant_teen", _other_vocational(TUITION_WAIVER)),
    "recipient_technical": (
        "plant_teen",
        _recipient("recipients_technical", "technical", "register", "technical_national_grant"),
    ),
    "enrolled_senior_high": ("plant_teen", _enrolled("enrolment_senior_high", "senior_high")),
    "enrolled_compulsory": ("plant_teen", _enrolled("enrolment_compulsory", "compulsory")),
    "enrolled_other_vocational": ("plant_teen", _enrolled("enrolment_vocational", "vocational")),
    "aided_3y_own_school": ("plant_teen", _aided_3y((AUTUMN,), own_school=True)),
    "aided_3y_other_school": ("plant_teen", _aided_3y((SPRING,), own_school=False)),
    "aided_3y_both_terms": ("plant_teen", _aided_3y((AUTUMN, SPRING), own_school=False)),
    "graduated_last_year": ("plant_teen", _graduated(0)),
    "age_20_or_over": ("plant_old", _nothing),
    "age_exactly_20": ("plant_exact20", _nothing),
    "phone_shared_with_sibling": ("plant_teen", _phone_with_child),
    "phone_shared_with_inactive_enrolment": ("plant_teen", _phone_with_inactive_enrolment),
    "phone_shared_between_recipients": ("plant_teen", _phone_between_recipients),
    "phone_shared_three_ways": ("plant_teen", _phone_three_ways),
}


# --- decoys: records that look like a case but must not be one --------------------------------

DecoyPlant = Callable[[Planter, Subject], list[Rec]]


def _listed_other_term(p: Planter, s: Subject) -> list[Rec]:
    where = p.school("vocational", s, avoid=s)
    return [p.listed(p.previous, "vocational", where, s.g, TUITION_WAIVER, s.g)]


def _scholarship_same_school(p: Planter, s: Subject) -> list[Rec]:
    return [p.listed(p.current, "vocational", (s.province, s.school), s.g, SCHOLARSHIP, s.g)]


def _own_school(p: Planter, s: Subject) -> list[Rec]:
    return [r for r in p.recs if r.g == s.g and r.table[0] == "registers"]


def _same_person_phone(p: Planter, s: Subject) -> list[Rec]:
    return []  # on both programmes' lists and enrolled, always with one number


def _inactive_elsewhere(p: Planter, s: Subject) -> list[Rec]:
    return [
        p.register(
            "enrolment_vocational",
            "vocational",
            p.school("vocational", s, avoid=s),
            s.g,
            phone=s.g,
            status="转出",
        ),
        p.register(
            "enrolment_senior_high",
            "senior_high",
            p.school("senior_high", s),
            s.g,
            phone=s.g,
            status="休学",
        ),
        p.register(
            "enrolment_compulsory",
            "compulsory",
            p.school("compulsory", s),
            s.g,
            phone=s.g,
            status="毕业",
        ),
    ]


def _graduated_other_year(p: Planter, s: Subject) -> list[Rec]:
    year = p.world.month.school_year - 1
    return [
        p.register(
            "graduates_senior_high",
            "senior_high",
            p.school("senior_high", s),
            s.g,
            graduation_year=year,
        )
    ]


def _turning_20(p: Planter, s: Subject) -> list[Rec]:
    return []


def _phone_other_term(p: Planter, s: Subject) -> list[Rec]:
    # the other holder of the number is only on last term's list: not a student of the month
    other = p.person("plant_teen", p.labels[s.g])
    where = p.school("vocational", s, avoid=s)
    return [p.listed(p.previous, "vocational", where, other, TUITION_WAIVER, s.g)]


def _technical_snapshot(delta: int) -> DecoyPlant:
    def plant(p: Planter, s: Subject) -> list[Rec]:
        at = str(month_shift(p.world.month, delta))
        where = p.school("technical", s)
        return [
            p.register(
                "recipients_technical",
                "technical",
                where,
                s.g,
                at=at,
                project="technical_national_grant",
            )
        ]

    return plant


def _aided_years_ago(years: int, stage: str) -> DecoyPlant:
    def plant(p: Planter, s: Subject) -> list[Rec]:
        year = p.world.month.school_year - years
        if stage == "vocational":
            return [
                p.listed(
                    ("lists", year, AUTUMN),
                    stage,
                    p.school(stage, s, avoid=s),
                    s.g,
                    TUITION_WAIVER,
                    s.g,
                )
            ]
        where = p.school(stage, s, kind="internal")
        return [
            p.listed(("lists", year, AUTUMN), stage, where, s.g, "senior_high_national_grant", s.g)
        ]

    return plant


# name → (subject's block, memberships to cycle, checks it must not trigger, plant)
DECOYS: dict[str, tuple[str, tuple, tuple[str, ...], DecoyPlant]] = {
    "listed_other_term": (
        "plant_teen",
        MEMBERSHIPS,
        ("other_vocational_recipients",),
        _listed_other_term,
    ),
    "scholarship_same_school": (
        "plant_teen",
        MEMBERSHIPS,
        ("other_vocational_recipients",),
        _scholarship_same_school,
    ),
    "enrolled_own_school": (
        "plant_teen",
        MEMBERSHIPS,
        ("other_vocational_enrollment",),
        _own_school,
    ),
    "phone_same_person": ("plant_teen", MEMBERSHIPS[2:], ("student_phones",), _same_person_phone),
    "enrolled_inactive_elsewhere": (
        "plant_teen",
        MEMBERSHIPS,
        ("other_vocational_enrollment", "senior_high_enrollment", "compulsory_enrollment"),
        _inactive_elsewhere,
    ),
    "graduated_other_year": (
        "plant_teen",
        MEMBERSHIPS,
        ("senior_high_graduates_last_year",),
        _graduated_other_year,
    ),
    "turning_20_after_reference": (
        "plant_turning20",
        MEMBERSHIPS,
        ("age_20_or_over",),
        _turning_20,
    ),
    "phone_shared_other_term": ("plant_teen", MEMBERSHIPS, ("student_phones",), _phone_other_term),
    "technical_stale_snapshot": (
        "plant_teen",
        MEMBERSHIPS,
        ("technical_recipients",),
        _technical_snapshot(-1),
    ),
    "technical_future_snapshot": (
        "plant_teen",
        MEMBERSHIPS,
        ("technical_recipients",),
        _technical_snapshot(1),
    ),
    "aided_2y_ago": (
        "plant_teen",
        MEMBERSHIPS,
        ("vocational_recipients_three_years_ago",),
        _aided_years_ago(2, "vocational"),
    ),
    "aided_4y_ago": (
        "plant_teen",
        MEMBERSHIPS,
        ("vocational_recipients_three_years_ago",),
        _aided_years_ago(4, "vocational"),
    ),
    "aided_3y_other_stage": (
        "plant_teen",
        MEMBERSHIPS,
        ("vocational_recipients_three_years_ago",),
        _aided_years_ago(3, "senior_high"),
    ),
}


def _vocational_school(world: World, code: str) -> tuple[str, int]:
    for province in world.provinces:
        group = world.schools.get(("vocational", province))
        if group and code in group.codes:
            return province, group.codes.index(code)
    raise ValueError(f"focus school {code} is not a vocational school of the world")


def plant_all(world: World, rng: np.random.Generator, focus: tuple[str, ...] = ()) -> Planter:
    """Plant every case and decoy. With `focus` (vocational school codes), one subject of each
    case is placed at a focus school, in turn, so those schools have cases of every risk level
    (the demo's school accounts); the other subjects go to random schools as without it."""
    planter = Planter(world, rng)
    at = [_vocational_school(world, code) for code in focus]
    for n, (name, (block, scenario)) in enumerate(CASES.items()):
        focused = (n // len(at)) % world.scale.plants if at else -1
        for i in range(world.scale.plants):
            where = at[n % len(at)] if i == focused else None
            subject = planter.subject(name, MEMBERSHIPS[i % len(MEMBERSHIPS)], block, at=where)
            scenario(planter, subject)
    for name, (block, memberships, checks, plant) in DECOYS.items():
        for i in range(world.scale.plants):
            subject = planter.subject(f"decoy:{name}", memberships[i % len(memberships)], block)
            planter.decoys.append(Decoy(name, subject, checks, plant(planter, subject)))
    return planter
