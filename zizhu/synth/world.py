"""The synthetic world: schools, person blocks and the tables to write, all from one seed."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from zizhu.lib.periods import Month
from zizhu.synth.mixing import salts
from zizhu.synth.persons import PersonSpace, window, years_before
from zizhu.synth.scales import POPULATION_STAGES, Scale
from zizhu.synth.schools import (
    Division,
    StageSchools,
    read_divisions,
    schools_from_units_file,
    split_total,
    synthesise_schools,
)
from zizhu.synth.tables import Table, plan_tables

# population → (youngest, oldest age on the reference date, ID sequence slots)
POPULATIONS = {
    "vocational": (15, 19, 50),
    "vocational_3y": (18, 22, 50),  # 15–19 three years ago
    "senior_high": (15, 17, 50),
    "graduates": (18, 19, 30),
    "compulsory": (6, 14, 120),
    "higher": (18, 22, 50),
    "technical": (15, 20, 40),
}
PLANTED_SLOTS = 10
SALT_NAMES = ("pid", "phone", "select", "name", "sex", "offset")


@dataclass
class World:
    scale: Scale
    seed: int
    month: Month
    reference: date
    divisions: list[Division]
    schools: dict[tuple[str, str], StageSchools]
    provinces: list[str]
    persons: PersonSpace
    tables: list[Table]

    def school_code(self, stage: str, province: str, index: int) -> str:
        return self.schools[(stage, province)].codes[index]


def _planted_windows(reference: date) -> dict[str, tuple[date, date]]:
    twenty = years_before(reference, 20)
    return {
        "plant_teen": window(reference, 16, 19),
        "plant_child": window(reference, 7, 14),
        "plant_adult": window(reference, 18, 21),
        "plant_old": window(reference, 20, 24),
        "plant_exact20": (twenty, twenty),  # twentieth birthday on the reference date
        "plant_turning20": (twenty + timedelta(days=1), twenty + timedelta(days=28)),
    }


def build_world(
    scale: Scale, *, seed: int, month: Month, units_file: Path | str | None = None
) -> World:
    rng = np.random.default_rng(seed)
    divisions = read_divisions(scale.provinces)
    if units_file:
        schools = schools_from_units_file(units_file, scale, read_divisions(()), rng)
        wanted = {p[:2] for _, p in schools}
        divisions = [d for d in read_divisions(()) if d.code[:2] in wanted]
    else:
        schools = synthesise_schools(scale, divisions, rng)
    provinces = sorted({province for _, province in schools})
    areas = {
        p: np.array([int(d.code) for d in divisions if d.level == "county" and d.code[:2] == p[:2]])
        for p in provinces
    }
    areas = {p: a if len(a) else np.array([int(p)]) for p, a in areas.items()}
    reference = month.first_day
    persons = PersonSpace(salts=dict(zip(SALT_NAMES, salts(seed, len(SALT_NAMES)), strict=True)))
    for population, (youngest, oldest, slots) in POPULATIONS.items():
        stage = POPULATION_STAGES[population]
        counts = np.array([len(schools[(stage, p)]) for p in provinces], dtype=float)
        per_province = split_total(scale.persons[population], counts)
        born_from, born_to = window(reference, youngest, oldest)
        for province, size in zip(provinces, per_province, strict=True):
            n_schools = len(schools[(stage, province)])
            sizes = split_total(int(size), rng.lognormal(0.0, 0.5, n_schools), minimum=0)
            offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
            persons.add_block(
                population,
                province,
                int(size),
                born_from,
                born_to,
                areas[province],
                slots=slots,
                school_offsets=offsets,
            )
    all_areas = np.concatenate([areas[p] for p in provinces])
    for name, (born_from, born_to) in _planted_windows(reference).items():
        size = scale.plants * (150 if name == "plant_teen" else 20)
        persons.add_block(name, "", size, born_from, born_to, all_areas, slots=PLANTED_SLOTS)
    return World(
        scale=scale,
        seed=seed,
        month=month,
        reference=reference,
        divisions=divisions,
        schools=schools,
        provinces=provinces,
        persons=persons,
        tables=plan_tables(month),
    )
