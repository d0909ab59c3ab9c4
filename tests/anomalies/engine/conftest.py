"""Handcrafted analytics stores (docs/analytics-store.md), written with pyarrow.

Checked month in most tests: 2024-10 → school year 2024, autumn term; three years ago is
school year 2021; last year's senior-high graduates have graduation_year 2024.

Schools: OWN and OTHER are 中职 schools (36…); SENIOR is a senior high (34…), PRIMARY a
compulsory school (21…), COLLEGE a higher-education school (41…), TECH a technical school.
"""

import itertools
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zizhu.store.schemas import LISTS_SCHEMA
from zizhu.store.schemas import REGISTER_SCHEMAS as STORE_REGISTER_SCHEMAS

MONTH = "2024-10"
OWN = "3661000001"
OTHER = "3661000002"
SENIOR = "3461000001"
PRIMARY = "2161000001"
COLLEGE = "4161000001"
TECH = "9961000001"

LIST_SCHEMA = LISTS_SCHEMA
REGISTER_SCHEMAS = {
    "enrolment": STORE_REGISTER_SCHEMAS["enrolment"],
    "recipients": STORE_REGISTER_SCHEMAS["recipients"],
    "graduates": STORE_REGISTER_SCHEMAS["graduates"],
}
PROJECTS = {
    "tuition_waiver": "vocational_tuition_waiver",
    "national_grant": "vocational_national_grant",
}
BORN = date(2008, 3, 15)  # 16 in October 2024: no age finding unless a test sets otherwise


class StoreBuilder:
    def __init__(self, root: Path):
        self.root = root
        self._row_ids = itertools.count(1)
        self._parts = itertools.count()

    def _write(self, folder: Path, rows: list[dict], schema: pa.Schema) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=schema)
        pq.write_table(table, folder / f"part-{next(self._parts)}.parquet")

    def subject(self, pid: int, programme: str = "tuition_waiver", **row) -> dict:
        """A 中职 list row of a checked programme at OWN (a subject of the month's check)."""
        return self.list_row(pid, programme=programme, project=PROJECTS[programme], **row)

    def list_row(self, pid: int, **row) -> dict:
        values = {
            "row_id": next(self._row_ids),
            "school_code": OWN,
            "stage": "vocational",
            "project": "vocational_scholarship",
            "programme": None,
            "pid": pid,
            "birth_date": BORN,
            "phone_key": None,
            "id_masked": f"610102********{pid:04d}",
        }
        values.update(row)
        return values

    def lists(self, rows: list[dict], *, school_year: int = 2024, term: str = "autumn") -> None:
        folder = self.root / "lists" / f"school_year={school_year}" / f"term={term}"
        self._write(folder, rows, LIST_SCHEMA)

    def register(self, kind: str, rows: list[dict], *, month: str = "2024-09") -> None:
        family = kind.split("_")[0]
        defaults = {
            "enrolment": {"status": "在籍", "phone_key": None, "grade": "2024"},
            "recipients": {"project": "some_project", "amount": Decimal("1000.00")},
            "graduates": {"graduation_year": 2024},
        }[family]
        full = [{"birth_date": BORN, **defaults, **row} for row in rows]
        folder = self.root / "registers" / kind / f"month={month}"
        self._write(folder, full, REGISTER_SCHEMAS[family])


@pytest.fixture
def store(tmp_path: Path) -> StoreBuilder:
    return StoreBuilder(tmp_path / "store")


def found(findings: pa.Table, *columns: str) -> set[tuple]:
    """The findings as a set of tuples of `columns` (default: rule, pid, counterpart school)."""
    columns = columns or ("rule", "pid", "counterpart_school_code")
    return set(zip(*(findings.column(c).to_pylist() for c in columns), strict=True))


# The rule numbers of anomaly_rules.csv: case → (tuition_waiver rule, national_grant rule).
RULES = {
    "higher_recipients": (1, 6),
    "senior_high_recipients": (2, 7),
    "compulsory_recipients": (3, 8),
    "other_vocational_recipients": (4, 9),
    "technical_recipients": (5, 10),
    "senior_high_enrollment": (11, 15),
    "compulsory_enrollment": (12, 16),
    "other_vocational_enrollment": (13, 17),
    "three_years_ago": (14, 18),
    "graduates_last_year": (19, 22),
    "age_20_or_over": (20, 23),
    "shared_phone": (21, 24),
}


@dataclass
class _Month:
    store: StoreBuilder
    term: list[dict] = field(default_factory=list)
    spring: list[dict] = field(default_factory=list)
    three_years_ago: list[dict] = field(default_factory=list)
    registers: dict[str, list[dict]] = field(default_factory=dict)
    expected: set[tuple] = field(default_factory=set)

    def register(self, kind: str, **row) -> None:
        self.registers.setdefault(kind, []).append(row)

    def case(self, name: str, programme: str, pid: int, counterpart, detail="", **row) -> int:
        """A subject `pid` that the rule of `name` for `programme` should flag."""
        self.term.append(self.store.subject(pid, programme, **row))
        rule = RULES[name][0 if programme == "tuition_waiver" else 1]
        self.expected.add((rule, pid, counterpart, detail))
        return pid

    def write(self) -> None:
        self.store.lists(self.term)
        self.store.lists(self.spring, term="spring")
        self.store.lists(self.three_years_ago, school_year=2021)
        for kind, rows in self.registers.items():
            self.store.register(kind, rows)


def build_month(store: StoreBuilder) -> set[tuple]:
    """A positive case of each of the 24 rules of 2024-10, and decoys; returns the expected
    findings as (rule, pid, counterpart_school_code, detail).

    Subjects of tuition_waiver have pids 101…, of national_grant 201…; the decoys 150…, 250….
    """
    month = _Month(store)
    for base, programme in ((100, "tuition_waiver"), (200, "national_grant")):
        pid = month.case("higher_recipients", programme, base + 1, COLLEGE)
        month.register("recipients_higher", school_code=COLLEGE, pid=pid)
        pid = month.case("senior_high_recipients", programme, base + 2, SENIOR)
        month.term.append(store.list_row(pid, stage="senior_high", school_code=SENIOR))
        pid = month.case("compulsory_recipients", programme, base + 3, PRIMARY)
        month.register("recipients_compulsory", school_code=PRIMARY, pid=pid)
        pid = month.case("other_vocational_recipients", programme, base + 4, OTHER)
        month.term.append(store.list_row(pid, school_code=OTHER))
        pid = month.case("technical_recipients", programme, base + 5, TECH)
        month.register("recipients_technical", school_code=TECH, pid=pid)
        pid = month.case("senior_high_enrollment", programme, base + 6, SENIOR)
        month.register("enrolment_senior_high", school_code=SENIOR, pid=pid)
        pid = month.case("compulsory_enrollment", programme, base + 7, PRIMARY)
        month.register("enrolment_compulsory", school_code=PRIMARY, pid=pid)
        pid = month.case("other_vocational_enrollment", programme, base + 8, OTHER)
        month.register("enrolment_vocational", school_code=OTHER, pid=pid)
        pid = month.case("three_years_ago", programme, base + 9, OWN)
        month.three_years_ago.append(store.list_row(pid))
        pid = month.case("graduates_last_year", programme, base + 10, SENIOR)
        month.register("graduates_senior_high", school_code=SENIOR, pid=pid)
        month.case("age_20_or_over", programme, base + 11, None, "20", birth_date=date(2004, 10, 1))
        month.case("shared_phone", programme, base + 12, None, "1", phone_key=base)
        month.register("enrolment_compulsory", school_code=PRIMARY, pid=base + 99, phone_key=base)

        # Decoys: each resembles one of the cases above but is no finding.
        decoy = base + 50
        month.term.append(store.subject(decoy, programme, phone_key=base + 1))
        month.term.append(store.list_row(decoy))  # another 中职 project at the same school
        month.spring.append(store.list_row(decoy, stage="higher", school_code=COLLEGE))
        month.register("enrolment_vocational", school_code=OWN, pid=decoy, phone_key=base + 1)
        month.register("enrolment_senior_high", school_code=SENIOR, pid=decoy, status="休学")
        month.register("graduates_senior_high", school_code=SENIOR, pid=decoy, graduation_year=2023)
        month.term.append(store.subject(decoy + 1, programme, birth_date=date(2004, 10, 2)))
    month.write()
    return month.expected


@pytest.fixture(scope="session")
def spark():
    """One small local Spark session for every Spark test (skipped without PySpark or Java)."""
    pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'zizhu[spark]')")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Spark needs Java 17+: no java on PATH and no JAVA_HOME")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("zizhu-tests")
        .config("spark.sql.shuffle.partitions", 2)
        .config("spark.default.parallelism", 2)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
