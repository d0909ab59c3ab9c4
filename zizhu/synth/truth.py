"""The ground truth: what the 24 rules (docs/domain.md, anomaly alerts) find among the planted
records.

Background persons never meet a rule (unique IDs and phones, ages 15–19, one enrolment at
their own school, no other lists), so the findings over the planted persons' records are all
the findings of the generated world. This is a plain reading of the rules, written apart from
the engines, over a few thousand records.
"""

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zizhu.lib.periods import Month
from zizhu.synth.plants import Rec
from zizhu.synth.tables import ACTIVE, PROGRAMMES

RULES_CSV = Path(__file__).resolve().parent.parent / "catalogue_data" / "anomaly_rules.csv"
# rule counterpart → the counterpart_kind of a finding (docs/domain.md, formats export_findings)
COUNTERPART_KINDS = {
    "higher_recipients": "recipients_higher",
    "senior_high_recipients": "recipients_senior_high",
    "compulsory_recipients": "recipients_compulsory",
    "other_vocational_recipients": "recipients_vocational",
    "technical_recipients": "recipients_technical",
    "senior_high_enrollment": "enrolment_senior_high",
    "compulsory_enrollment": "enrolment_compulsory",
    "other_vocational_enrollment": "enrolment_vocational",
    "vocational_recipients_three_years_ago": "recipients_vocational_3y",
    "senior_high_graduates_last_year": "graduates_senior_high",
    "student_phones": "",
    "": "",
}
OTHER_STAGES = {
    "higher": "higher_recipients",
    "senior_high": "senior_high_recipients",
    "compulsory": "compulsory_recipients",
}


@dataclass(frozen=True)
class Rule:
    number: int
    risk: str
    programme: str
    check: str
    counterpart: str

    @property
    def target(self) -> str:
        """What a subject is compared with: the counterpart, or the check for the age rule."""
        return self.counterpart or self.check


def load_rules() -> dict[tuple[str, str], Rule]:
    """(programme, counterpart or check) → rule."""
    with RULES_CSV.open(encoding="utf-8") as handle:
        rules = [
            Rule(int(r["rule"]), r["risk"], r["programme"], r["check"], r["counterpart"])
            for r in csv.DictReader(handle)
        ]
    return {(r.programme, r.target): r for r in rules}


@dataclass(frozen=True, order=True)
class Finding:
    rule: int
    school_code: str
    g: int
    counterpart_school_code: str
    counterpart_kind: str
    detail: str
    programme: str
    risk: str
    check: str


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def evaluate(
    recs: list[Rec],
    *,
    month: Month,
    reference: date,
    snapshots: dict[str, set[str]],
    birth_date,
) -> list[Finding]:
    """Findings among `recs`. `snapshots`: register kind → months written; `birth_date(g)`."""
    rules = load_rules()
    year, term = month.school_year, month.term
    latest = {
        kind: max((m for m in months if m <= str(month)), default=None)
        for kind, months in snapshots.items()
    }
    this_term = [r for r in recs if r.table == ("lists", year, term)]
    registers = [r for r in recs if r.table[0] == "registers" and r.table[2] == latest[r.table[1]]]
    three_years_ago = [
        r
        for r in recs
        if r.table[0] == "lists" and r.table[1] == year - 3 and r.stage == "vocational"
    ]

    # counterpart → person → schools (a finding per counterpart school)
    seen: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in this_term:
        if r.stage in OTHER_STAGES:
            seen[OTHER_STAGES[r.stage]][r.g].add(r.code)
        elif r.stage == "vocational":
            seen["other_vocational_recipients"][r.g].add(r.code)
    for r in registers:
        kind = r.table[1]
        if kind.startswith("recipients_"):
            seen[f"{kind.removeprefix('recipients_')}_recipients"][r.g].add(r.code)
        elif kind.startswith("enrolment_") and r.status == ACTIVE:
            stage = kind.removeprefix("enrolment_")
            name = "other_vocational" if stage == "vocational" else stage
            seen[f"{name}_enrollment"][r.g].add(r.code)
        elif kind == "graduates_senior_high" and r.graduation_year == year:
            seen["senior_high_graduates_last_year"][r.g].add(r.code)
    for r in three_years_ago:
        seen["vocational_recipients_three_years_ago"][r.g].add(r.code)

    # every phone of the month's students: this term's lists and the enrolment snapshots
    holders: dict[int, set[int]] = defaultdict(set)
    for r in this_term + [r for r in registers if r.table[1].startswith("enrolment_")]:
        if r.phone >= 0:
            holders[r.phone].add(r.g)

    findings: set[Finding] = set()

    def add(programme, target, r, counterpart="", detail="") -> None:
        rule = rules[(programme, target)]
        findings.add(
            Finding(
                rule.number,
                r.code,
                r.g,
                counterpart,
                COUNTERPART_KINDS[rule.counterpart] if counterpart else "",
                detail,
                programme,
                rule.risk,
                rule.check,
            )
        )

    for r in this_term:
        programme = PROGRAMMES.get(r.project)
        if r.stage != "vocational" or programme is None:
            continue
        for target, by_person in seen.items():
            own_school_counts = target not in {
                "other_vocational_recipients",
                "other_vocational_enrollment",
            }
            for code in by_person.get(r.g, ()):
                if own_school_counts or code != r.code:
                    add(programme, target, r, counterpart=code)
        if age(birth_date(r.g), reference) >= 20:
            add(programme, "age_20_or_over", r)
        others = holders.get(r.phone, set()) - {r.g} if r.phone >= 0 else set()
        if others:
            add(programme, "student_phones", r, detail=str(len(others)))
    return sorted(findings)
