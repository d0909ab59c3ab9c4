"""What the generator writes: register snapshots and recipient-list partitions, each made of
sources (a population at the schools of one stage), and the rows a chunk of a source yields."""

from dataclasses import dataclass

import numpy as np

from zizhu.lib.periods import AUTUMN, SPRING, Month
from zizhu.store.schemas import shape_of
from zizhu.synth.mixing import below, bits, mix64

TUITION_WAIVER = "vocational_tuition_waiver"
NATIONAL_GRANT = "vocational_national_grant"
SCHOLARSHIP = "vocational_national_scholarship"
PROGRAMMES = {TUITION_WAIVER: "tuition_waiver", NATIONAL_GRANT: "national_grant"}
ACTIVE = "在籍"
STATUSES = (ACTIVE, "休学", "转出", "毕业")
# per-term amounts in yuan (docs/domain.md, scale: the yearly amount is paid in two terms)
AMOUNTS = {
    TUITION_WAIVER: 1000,
    NATIONAL_GRANT: 1150,
    SCHOLARSHIP: 6000,
    "senior_high_national_grant": 1150,
    "senior_high_fee_waiver": 600,
    "compulsory_boarding_allowance": 625,
    "compulsory_nutrition": 500,
    "higher_national_grant": 1850,
    "higher_national_encouragement": 3000,
    "technical_national_grant": 1150,
    "technical_tuition_waiver": 1000,
}
PROJECTS = tuple(AMOUNTS)
PROJECT_INDEX = {p: i for i, p in enumerate(PROJECTS)}
GRADES = {
    "vocational": ("一年级", "二年级", "三年级"),
    "senior_high": ("高一", "高二", "高三"),
    "compulsory": tuple(f"{n}年级" for n in "一二三四五六七八九"),
    "higher": ("大一", "大二", "大三", "大四"),
    "technical": ("一年级", "二年级", "三年级"),
}
# age on the reference date of a stage's first grade
FIRST_GRADE_AGE = {
    "vocational": 15,
    "senior_high": 15,
    "compulsory": 6,
    "higher": 18,
    "technical": 15,
}
MAJORS = (
    "计算机应用",
    "数控技术应用",
    "会计事务",
    "汽车运用与维修",
    "电子商务",
    "学前教育",
    "护理",
    "旅游服务与管理",
)

# bits of a person's selection hash
PHONE_BITS = 36  # 12 bits: has a phone on lists / registers
STATUS_BITS = 48  # 8 bits: enrolment status other than 在籍
LIST_PHONE_SHARE = 0.97
REGISTER_PHONE_SHARE = 0.75
INACTIVE_SHARE = 0.02


@dataclass(frozen=True)
class Source:
    """A population's rows at the schools of its stage. `projects`: (project, share) pairs, each
    an independent draw per person (a person may be on several); empty: one row per person."""

    population: str
    stage: str
    schools: str = "all"  # all | internal | register
    projects: tuple[tuple[str, float], ...] = ()
    min_age: int = 0  # only persons at least this old on the reference date


@dataclass(frozen=True)
class Table:
    key: tuple  # ("registers", kind, "YYYY-MM") or ("lists", school_year, term)
    sources: tuple[Source, ...]
    graduation_year: int = 0

    @property
    def is_list(self) -> bool:
        return self.key[0] == "lists"

    @property
    def shape(self) -> str:
        return "list" if self.is_list else shape_of(self.key[1])

    @property
    def label(self) -> str:
        return "/".join(str(part) for part in self.key)


def other_term(month: Month) -> tuple[int, str]:
    """The term before the checked one: its lists are written to make decoys."""
    if month.term == AUTUMN:
        return month.school_year - 1, SPRING
    return month.school_year, AUTUMN


def month_shift(month: Month, delta: int) -> Month:
    index = month.year * 12 + month.month - 1 + delta
    return Month(index // 12, index % 12 + 1)


def plan_tables(month: Month) -> list[Table]:
    year, term = month.school_year, month.term
    vocational = ((TUITION_WAIVER, 0.85), (NATIONAL_GRANT, 0.35))
    scholarship = ((SCHOLARSHIP, 0.0015),)
    senior_high = (("senior_high_national_grant", 0.15), ("senior_high_fee_waiver", 0.08))
    compulsory = (("compulsory_boarding_allowance", 0.08), ("compulsory_nutrition", 0.06))
    higher = (("higher_national_grant", 0.8), ("higher_national_encouragement", 0.25))
    technical = (("technical_national_grant", 0.3), ("technical_tuition_waiver", 0.3))
    m = str(month)

    def register(kind: str, *sources: Source, at: str = m, **extra) -> Table:
        return Table(("registers", kind, at), sources, **extra)

    def vocational_lists(population: str, list_term: str, min_age: int = 0) -> Source:
        projects = vocational + (scholarship if list_term == AUTUMN else ())
        return Source(population, "vocational", projects=projects, min_age=min_age)

    prior_year, prior_term = other_term(month)
    tables = [
        register("enrolment_vocational", Source("vocational", "vocational")),
        register("enrolment_senior_high", Source("senior_high", "senior_high")),
        register("enrolment_compulsory", Source("compulsory", "compulsory")),
        register("recipients_higher", Source("higher", "higher", "register", higher)),
        register(
            "recipients_senior_high", Source("senior_high", "senior_high", "register", senior_high)
        ),
        register(
            "recipients_compulsory", Source("compulsory", "compulsory", "register", compulsory)
        ),
        register("graduates_senior_high", Source("graduates", "senior_high"), graduation_year=year),
    ]
    # the technical register also has the snapshots around the month, to test snapshot choice
    for delta in (-1, 0, 1):
        at = str(month_shift(month, delta))
        tables.append(
            register(
                "recipients_technical", Source("technical", "technical", "all", technical), at=at
            )
        )
    tables += [
        Table(
            ("lists", year, term),
            (
                vocational_lists("vocational", term),
                Source("higher", "higher", "internal", higher),
                Source("senior_high", "senior_high", "internal", senior_high),
                Source("compulsory", "compulsory", "internal", compulsory),
            ),
        ),
        # last term's students are this term's older ones
        Table(("lists", prior_year, prior_term), (vocational_lists("vocational", prior_term, 16),)),
        Table(("lists", year - 3, AUTUMN), (vocational_lists("vocational_3y", AUTUMN),)),
        Table(("lists", year - 3, SPRING), (vocational_lists("vocational_3y", SPRING),)),
    ]
    return tables


# the per-row arrays of Rows
ROW_ARRAYS = ("school", "g", "phone", "project", "status", "graduation_year")


@dataclass
class Rows:
    """Rows of one part before they are keyed or spelled out. `school` indexes `codes`."""

    codes: list[str]
    stage: str
    school: np.ndarray  # int32
    g: np.ndarray  # int64 person
    phone: np.ndarray  # int64 phone index, -1: none
    project: np.ndarray  # int16 index into PROJECTS, -1: none
    status: np.ndarray  # int8 index into STATUSES
    graduation_year: np.ndarray  # int32, 0: none

    def __len__(self) -> int:
        return len(self.g)

    @classmethod
    def concat(cls, parts: list["Rows"]) -> "Rows":
        first = parts[0]
        return cls(
            codes=first.codes,
            stage=first.stage,
            **{name: np.concatenate([getattr(p, name) for p in parts]) for name in ROW_ARRAYS},
        )

    def take(self, order: np.ndarray) -> "Rows":
        """The rows at the indexes `order`, in that order."""
        return Rows(
            codes=self.codes,
            stage=self.stage,
            **{name: getattr(self, name)[order] for name in ROW_ARRAYS},
        )


def source_rows(
    *,
    table: Table,
    source: Source,
    codes: list[str],
    internal: np.ndarray,
    base: int,
    school_offsets: np.ndarray,
    first: int,
    last: int,
    birth_days,
    reference_days: int,
    select_salt: int,
) -> Rows:
    """Background rows of `source` for the schools first … last-1 (a chunk).

    `birth_days(g)` gives birth dates (days since epoch); only needed with `min_age`.
    """
    schools = np.arange(first, last, dtype=np.int32)
    if source.schools != "all":  # only the persons of the wanted schools are drawn at all
        schools = schools[internal[first:last] == (source.schools == "internal")]
    counts = school_offsets[schools + 1] - school_offsets[schools]
    school = np.repeat(schools, counts)
    # persons of school i are school_offsets[i] …: one range per school, laid end to end
    ends = np.cumsum(counts)
    g = np.arange(ends[-1] if len(ends) else 0, dtype=np.int64)
    g += np.repeat(school_offsets[schools] - (ends - counts) + base, counts)
    if source.min_age:
        old_enough = reference_days - birth_days(g) >= round(source.min_age * 365.25)
        school, g = school[old_enough], g[old_enough]
    hashed = mix64(g, select_salt)
    if source.projects:
        picks = [
            np.flatnonzero(below(hashed, 12 * i, share))
            for i, (_, share) in enumerate(source.projects)
        ]
        project = np.concatenate(
            [
                np.full(len(p), PROJECT_INDEX[name], np.int16)
                for p, (name, _) in zip(picks, source.projects, strict=True)
            ]
        )
        order = np.concatenate(picks)
        school, g, hashed = school[order], g[order], hashed[order]
    else:
        project = np.full(len(g), -1, np.int16)
    share = LIST_PHONE_SHARE if table.is_list else REGISTER_PHONE_SHARE
    has_phone = table.is_list or table.shape == "enrolment"
    phone = np.where(has_phone & below(hashed, PHONE_BITS, share), g, -1)
    if table.shape == "enrolment":
        inactive = np.flatnonzero(below(hashed, STATUS_BITS, INACTIVE_SHARE, width=8))
        status = np.zeros(len(g), np.int8)
        status[inactive] = 1 + bits(hashed[inactive], 56, 8) % 3  # 2 % of the rows
    else:
        status = np.zeros(len(g), np.int8)
    return Rows(
        codes=codes,
        stage=source.stage,
        school=school,
        g=g,
        phone=phone,
        project=project,
        status=status,
        graduation_year=np.full(len(g), table.graduation_year, np.int32),
    )
