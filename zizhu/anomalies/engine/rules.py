"""The 24 anomaly rules (docs/domain.md, anomaly alerts): data, read from
catalogue_data/anomaly_rules.csv.

A rule is a (programme × check × counterpart) triple with a number and a risk level. The checks
themselves are code (checks.py); a check's SQL picks its rule numbers by joining the `rules`
view on (programme, counterpart), so renumbering a rule is a change to the CSV only.
"""

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pyarrow as pa

PROGRAMMES = ("tuition_waiver", "national_grant")
RISKS = ("high", "medium", "low")
CHECKS = (
    "recipient_elsewhere",
    "enrolled_elsewhere",
    "aided_three_years_ago",
    "graduated_senior_high_last_year",
    "age_20_or_over",
    "shared_phone",
)

RULES_SCHEMA = pa.schema(
    [
        ("rule", pa.int32()),
        ("risk", pa.string()),
        ("programme", pa.string()),
        ("check_name", pa.string()),  # `check` is a reserved word in SQL
        ("counterpart", pa.string()),
        ("name_zh", pa.string()),
    ]
)


@dataclass(frozen=True)
class Rule:
    number: int
    risk: str
    programme: str
    check: str
    counterpart: str  # empty for age_20_or_over
    name_zh: str


@cache
def load_rules() -> tuple[Rule, ...]:
    text = resources.files("zizhu").joinpath("catalogue_data/anomaly_rules.csv").read_text("utf-8")
    rules = tuple(
        Rule(
            number=int(row["rule"]),
            risk=row["risk"],
            programme=row["programme"],
            check=row["check"],
            counterpart=row["counterpart"],
            name_zh=row["name_zh"],
        )
        for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    )
    _validate(rules)
    return rules


def _validate(rules: tuple[Rule, ...]) -> None:
    numbers = [r.number for r in rules]
    if len(set(numbers)) != len(numbers):
        raise ValueError("anomaly_rules.csv: duplicate rule numbers")
    keys = [(r.programme, r.check, r.counterpart) for r in rules]
    if len(set(keys)) != len(keys):
        raise ValueError("anomaly_rules.csv: two rules share (programme, check, counterpart)")
    for rule in rules:
        if rule.risk not in RISKS or rule.programme not in PROGRAMMES or rule.check not in CHECKS:
            raise ValueError(f"anomaly_rules.csv: rule {rule.number} is malformed")


def rules_table() -> pa.Table:
    """The rules as the `rules` view the check SQL joins to."""
    rules = load_rules()
    return pa.table(
        {
            "rule": [r.number for r in rules],
            "risk": [r.risk for r in rules],
            "programme": [r.programme for r in rules],
            "check_name": [r.check for r in rules],
            "counterpart": [r.counterpart for r in rules],
            "name_zh": [r.name_zh for r in rules],
        },
        schema=RULES_SCHEMA,
    )
