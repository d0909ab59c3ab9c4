"""Synthetic schools of each stage in each province, and the units file that describes them.

School codes follow docs/domain.md, the unit hierarchy: category + the province's two digits + a
six-digit sequence.
Technical schools (技工院校) are not units of this system; their codes use the category `99`,
which no school of the hierarchy has, so they cannot clash with a real unit's code.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zizhu.lib.tabular import Column, read_table
from zizhu.synth.scales import STAGES, Scale

DIVISIONS_CSV = Path(__file__).resolve().parent.parent / "units" / "data" / "divisions.csv"
NOT_MAINLAND = {"71", "81", "82"}  # Taiwan, Hong Kong, Macao: no school data here
TECHNICAL_CATEGORY = "99"
# stage → (category, share of the stage's schools); compulsory = primary (21) + junior (31)
CATEGORIES = {
    "vocational": (("36", 1.0),),
    "senior_high": (("34", 1.0),),
    "compulsory": (("21", 0.7), ("31", 0.3)),
    "higher": (("41", 1.0),),
    "technical": ((TECHNICAL_CATEGORY, 1.0),),
}
NAME_PATTERNS = {
    "36": ("{place}职业教育中心", "{place}职业中等专业学校", "{place}第{n}职业高级中学"),
    "34": ("{place}第{n}中学", "{place}高级中学", "{place}实验中学"),
    "21": ("{place}第{n}小学", "{place}中心小学", "{place}实验小学"),
    "31": ("{place}第{n}初级中学", "{place}实验初级中学"),
    "41": ("{place}职业技术学院", "{place}理工学院", "{place}师范学院"),
    "99": ("{place}技工学校", "{place}高级技工学校"),
}
# Share of a stage's schools whose recipient lists are kept in this system; the others' aid
# arrives as an imported recipients register (docs/domain.md, anomaly alerts: both are
# counterparts).
INTERNAL_SHARE = 0.3
NUMERALS = "一二三四五六七八九十"
UNITS_HEADER = ["code", "name", "level", "parent_code", "stage", "ownership"]
UNIT_COLUMNS = [
    Column("code", "代码"),
    Column("name", "名称"),
    Column("level", "级别"),
    Column("parent_code", "上级代码"),
    Column("stage", "学段", required=False),
]


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str


@dataclass
class StageSchools:
    """The schools of one stage in one province; a school is its index in these arrays."""

    stage: str
    province: str
    codes: list[str]
    names: list[str]
    parents: list[str]
    internal: np.ndarray  # bool: lists kept in this system (stages other than vocational)
    private: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.codes)


def read_divisions(provinces: tuple[str, ...]) -> list[Division]:
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        rows = [
            Division(r["code"], r["name"], r["level"], r["parent_code"])
            for r in csv.DictReader(handle)
        ]
    wanted = {p[:2] for p in provinces} if provinces else None
    return [
        d
        for d in rows
        if d.code[:2] not in NOT_MAINLAND and (wanted is None or d.code[:2] in wanted)
    ]


def split_total(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Integers proportional to `weights` that add up to `total` exactly."""
    raw = weights / weights.sum() * total
    counts = np.maximum(np.floor(raw).astype(np.int64), minimum)
    short = total - int(counts.sum())
    if short > 0:
        counts[np.argsort(counts - raw, kind="stable")[:short]] += 1
    return counts


def _name(pattern: str, place: str, used: dict[tuple[str, str], int]) -> str:
    """The next school name of a pattern in a place: 第一, 第二 … 第十, 第11 …, or （2） …"""
    n = used[(pattern, place)] = used.get((pattern, place), 0) + 1
    if "{n}" in pattern:
        return pattern.format(place=place, n=NUMERALS[n - 1] if n <= len(NUMERALS) else n)
    return pattern.format(place=place) + (f"（{n}）" if n > 1 else "")


def synthesise_schools(
    scale: Scale, divisions: list[Division], rng: np.random.Generator
) -> dict[tuple[str, str], StageSchools]:
    """Schools per (stage, province), as many as the scale asks, spread by number of counties."""
    by_code = {d.code: d for d in divisions}
    provinces = [d.code for d in divisions if d.level == "province"]
    counties = {
        p: [d for d in divisions if d.level == "county" and d.code[:2] == p[:2]] for p in provinces
    }
    weights = np.array([len(counties[p]) for p in provinces], dtype=float)
    result: dict[tuple[str, str], StageSchools] = {}
    for stage in STAGES:
        per_province = split_total(scale.schools[stage], weights, minimum=2)
        for province, count in zip(provinces, per_province, strict=True):
            codes: list[str] = []
            names: list[str] = []
            parents: list[str] = []
            used: dict[tuple[str, str], int] = {}
            for category, share in CATEGORIES[stage]:
                n = max(1, round(int(count) * share))
                sequence = rng.integers(1, 400) + np.cumsum(rng.integers(1, 10, size=n))
                patterns = NAME_PATTERNS[category]
                pattern_index = rng.integers(len(patterns), size=n)
                if stage == "higher":  # higher schools hang under the province (直属学校)
                    parent_list = [by_code[province]] * n
                else:
                    picks = rng.integers(len(counties[province]), size=n)
                    parent_list = [counties[province][i] for i in picks]
                for number, parent, pattern in zip(
                    sequence, parent_list, pattern_index, strict=True
                ):
                    place = parent.name if stage != "higher" else parent.name.rstrip("省市")
                    codes.append(f"{category}{province[:2]}{int(number):06d}")
                    names.append(_name(patterns[pattern], place, used))
                    parents.append(parent.code)
            result[(stage, province)] = _stage_schools(stage, province, codes, names, parents, rng)
    return result


def _stage_schools(stage, province, codes, names, parents, rng) -> StageSchools:
    n = len(codes)
    internal = rng.random(n) < INTERNAL_SHARE
    if stage == "vocational":
        internal[:] = True
    elif n >= 2 and (internal.all() or not internal.any()):
        internal[0], internal[1] = True, False  # a stage needs both kinds of counterpart
    return StageSchools(
        stage=stage,
        province=province,
        codes=codes,
        names=names,
        parents=parents,
        internal=internal,
        private=rng.random(n) < 0.12,
    )


def schools_from_units_file(
    path: Path | str, scale: Scale, divisions: list[Division], rng: np.random.Generator
) -> dict[tuple[str, str], StageSchools]:
    """The schools of a units file (docs/domain.md, formats) by stage and province; technical
    schools, which
    are never units, are synthesised."""
    rows = [
        row for _, row in read_table(path, UNIT_COLUMNS).rows if row["level"].lower() == "school"
    ]
    result: dict[tuple[str, str], StageSchools] = {}
    provinces = sorted({f"{row['code'][2:4]}0000" for row in rows})
    for stage in STAGES[:-1]:
        for province in provinces:
            chosen = [
                r
                for r in rows
                if r.get("stage", "").lower() == stage and r["code"][2:4] == province[:2]
            ]
            if chosen:
                result[(stage, province)] = _stage_schools(
                    stage,
                    province,
                    [r["code"] for r in chosen],
                    [r["name"] for r in chosen],
                    [r["parent_code"] for r in chosen],
                    rng,
                )
    technical = synthesise_schools(scale, divisions, rng)
    for key, schools in technical.items():
        if key[0] == "technical" and key[1] in provinces:
            result[key] = schools
    missing = [s for s in STAGES if not any(k[0] == s for k in result)]
    if missing:
        raise ValueError(f"the units file has no schools of stage {', '.join(missing)}")
    return result


def write_units_file(
    path: Path, divisions: list[Division], schools: dict[tuple[str, str], StageSchools]
) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(UNITS_HEADER)
        for d in divisions:
            writer.writerow([d.code, d.name, d.level, d.parent_code, "", ""])
        for (stage, _province), group in sorted(schools.items()):
            if stage == "technical":
                continue
            for i, code in enumerate(group.codes):
                ownership = "private" if group.private[i] else "public"
                writer.writerow(
                    [code, group.names[i], "school", group.parents[i], stage, ownership]
                )
