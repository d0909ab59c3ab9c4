"""A brute-force reading of the 24 rules over every row of generated files, for test-scale
worlds: if the generator's ground truth equals what this finds, no background row collides
by chance and no planted case is missing.

Rows are normalised to plain tuples first, from the raw import files (person = ID number,
phone = the number) or from the keyed store (person = pid, phone = phone_key).
"""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from zizhu.lib import idnumber
from zizhu.lib.periods import Month

RULES_CSV = Path(__file__).resolve().parents[2] / "zizhu" / "catalogue_data" / "anomaly_rules.csv"
PROGRAMMES = {
    "vocational_tuition_waiver": "tuition_waiver",
    "vocational_national_grant": "national_grant",
}
STAGE_OF_CATEGORY = {"36": "vocational", "34": "senior_high", "21": "compulsory",
                     "31": "compulsory", "41": "higher"}  # fmt: skip


@dataclass
class World:
    # (school_year, term, school, stage, project, person, phone or None)
    lists: list[tuple] = field(default_factory=list)
    # kind → month → [(school, person, phone or None, status, graduation_year)]
    registers: dict = field(default_factory=lambda: defaultdict(dict))
    born: dict = field(default_factory=dict)  # person → birth date


def read_raw(out: Path) -> World:
    world = World()
    with (out / "lists_manifest.csv").open(encoding="utf-8") as handle:
        for entry in csv.DictReader(handle):
            stage = STAGE_OF_CATEGORY[entry["school_code"][:2]]
            with (out / entry["file"]).open(encoding="utf-8") as list_file:
                for row in csv.DictReader(list_file):
                    person = row["id_number"]
                    world.born[person] = idnumber.birth_date(person)
                    world.lists.append((int(entry["school_year"]), entry["term"],
                                        entry["school_code"], stage, entry["project"], person,
                                        row["phone"] or None))  # fmt: skip
    for path in sorted((out / "registers").glob("*.csv")):
        kind, month = path.stem.rsplit("_", 1)
        rows = []
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                person = row["id_number"]
                world.born[person] = idnumber.birth_date(person)
                status = row.get("status") or "在籍"
                graduation_year = int(row.get("graduation_year") or 0)
                rows.append((row["school_code"], person, row.get("phone") or None, status,
                             graduation_year))  # fmt: skip
        world.registers[kind][month] = rows
    return world


def read_keyed(store: Path) -> World:
    world = World()
    for path in sorted(store.glob("lists/school_year=*/term=*/part-*.parquet")):
        year = int(path.parent.parent.name.split("=")[1])
        term = path.parent.name.split("=")[1]
        for row in pq.read_table(path).to_pylist():
            world.born[row["pid"]] = row["birth_date"]
            world.lists.append((year, term, row["school_code"], row["stage"], row["project"],
                                row["pid"], row["phone_key"]))  # fmt: skip
    for path in sorted(store.glob("registers/*/month=*/part-*.parquet")):
        kind, month = path.parent.parent.name, path.parent.name.split("=")[1]
        rows = world.registers[kind].setdefault(month, [])
        for row in pq.read_table(path).to_pylist():
            world.born[row["pid"]] = row["birth_date"]
            rows.append((row["school_code"], row["pid"], row.get("phone_key"),
                         row.get("status") or "在籍", row.get("graduation_year") or 0))  # fmt: skip
    return world


def _rules() -> dict[tuple[str, str], int]:
    with RULES_CSV.open(encoding="utf-8") as handle:
        return {
            (r["programme"], r["counterpart"] or r["check"]): int(r["rule"])
            for r in csv.DictReader(handle)
        }


def findings(world: World, month: Month) -> set[tuple]:
    """(rule, school, person, counterpart school, counterpart kind, detail) for every finding."""
    rules = _rules()
    year, term = month.school_year, month.term
    snapshot = {
        kind: by_month[max(m for m in by_month if m <= str(month))]
        for kind, by_month in world.registers.items()
    }
    this_term = [r for r in world.lists if (r[0], r[1]) == (year, term)]
    elsewhere = defaultdict(set)  # person → {(counterpart, school, kind)}
    for _, _, school, stage, _, person, _ in this_term:
        target = "other_vocational_recipients" if stage == "vocational" else f"{stage}_recipients"
        kind = "recipients_vocational" if stage == "vocational" else f"recipients_{stage}"
        elsewhere[person].add((target, school, kind))
    for kind, rows in snapshot.items():
        for school, person, _, status, graduation_year in rows:
            if kind.startswith("recipients_"):
                target = kind.removeprefix("recipients_") + "_recipients"
            elif kind.startswith("enrolment_") and status == "在籍":
                stage = kind.removeprefix("enrolment_")
                target = ("other_vocational" if stage == "vocational" else stage) + "_enrollment"
            elif kind == "graduates_senior_high" and graduation_year == year:
                target = "senior_high_graduates_last_year"
            else:
                continue
            elsewhere[person].add((target, school, kind))
    for school_year, _, school, stage, _, person, _ in world.lists:
        if school_year == year - 3 and stage == "vocational":
            elsewhere[person].add(
                ("vocational_recipients_three_years_ago", school, "recipients_vocational_3y")
            )
    phones = defaultdict(set)
    for *_, person, phone in this_term:
        if phone is not None:
            phones[phone].add(person)
    for kind, rows in snapshot.items():
        if kind.startswith("enrolment_"):
            for _, person, phone, _, _ in rows:
                if phone is not None:
                    phones[phone].add(person)

    found = set()
    reference = month.first_day
    for _, _, school, stage, project, person, phone in this_term:
        programme = PROGRAMMES.get(project)
        if stage != "vocational" or programme is None:
            continue
        for target, other, kind in elsewhere.get(person, ()):
            if target.startswith("other_vocational") and other == school:
                continue
            found.add((rules[(programme, target)], school, person, other, kind, ""))
        born: date = world.born[person]
        age = (
            reference.year - born.year - ((reference.month, reference.day) < (born.month, born.day))
        )
        if age >= 20:
            found.add((rules[(programme, "age_20_or_over")], school, person, "", "", ""))
        others = phones.get(phone, set()) - {person} if phone is not None else set()
        if others:
            found.add(
                (rules[(programme, "student_phones")], school, person, "", "", str(len(others)))
            )
    return found
