"""The synthetic world: determinism, the store contract, valid identifiers, and a ground truth
that is exactly what the rules find in the written files (precision and recall 1.0)."""

import csv
import hashlib
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from zizhu.lib import idnumber, phone
from zizhu.lib.periods import Month
from zizhu.store import buckets
from zizhu.store.keys import person_key
from zizhu.store.writer import EMPTY_PART
from zizhu.synth.generate import generate
from zizhu.synth.management.commands.generate import Command
from zizhu.synth.plants import CASES, DECOYS
from zizhu.synth.scales import SCALES
from zizhu.synth.tables import AMOUNTS
from zizhu.synth.world import build_world
from zizhu.units.files import read_units_file
from zizhu.units.services import units_import

from . import reference

KEY = b"test-hash-key"
MONTH = Month(2025, 10)
STORE_COLUMNS = {
    "enrolment": {
        "school_code": "string",
        "pid": "int64",
        "birth_date": "date32[day]",
        "phone_key": "int64",
        "status": "string",
        "grade": "string",
    },
    "recipients": {
        "school_code": "string",
        "pid": "int64",
        "birth_date": "date32[day]",
        "project": "string",
        "amount": "decimal128(12, 2)",
    },
    "graduates": {
        "school_code": "string",
        "pid": "int64",
        "birth_date": "date32[day]",
        "graduation_year": "int32",
    },
}
LIST_COLUMNS = {
    "row_id": "int64",
    "school_code": "string",
    "stage": "string",
    "project": "string",
    "programme": "string",
    "pid": "int64",
    "birth_date": "date32[day]",
    "phone_key": "int64",
    "id_masked": "string",
}


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    return generate(out=tmp_path_factory.mktemp("raw"), scale="test", seed=5, hash_key=KEY)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    return generate(out=tmp_path_factory.mktemp("keyed"), scale="test", seed=5, keyed=True)


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def truth_set(rows: list[dict], person: str, cast=str) -> set[tuple]:
    return {
        (int(r["rule"]), r["school_code"], cast(r[person]), r["counterpart_school_code"],
         r["counterpart_kind"], r["detail"])
        for r in rows
    }  # fmt: skip


def digest(folder: Path) -> str:
    """The files of a generated folder and what they hold: a Parquet file's rows in a sorted
    order (parts written by several threads meet in a bucket's file in any order), any other
    file's bytes."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "summary.json"):
        hashed.update(path.relative_to(folder).as_posix().encode())
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            rows = sorted(map(repr, zip(*table.to_pydict().values(), strict=True)))
            hashed.update(repr((table.schema.names, rows)).encode())
        else:
            hashed.update(path.read_bytes())
    return hashed.hexdigest()


def row_group_buckets(path: Path, key: str) -> list[int]:
    """The bucket of `key` of each row group of a file, checking that none holds two."""
    metadata = pq.ParquetFile(path).metadata
    column = metadata.schema.names.index(key)
    found = []
    for i in range(metadata.num_row_groups):
        statistics = metadata.row_group(i).column(column).statistics
        assert statistics is not None and statistics.has_min_max, (path, i)
        low, high = buckets.of(np.array([statistics.min, statistics.max], np.int64))
        assert low == high, (path, i)
        found.append(int(low))
    return found


def keyed_parts(store: Path) -> list[Path]:
    paths = sorted(store.glob("registers/*/month=*/part-*.parquet"))
    paths += sorted(store.glob("lists/school_year=*/term=*/part-*.parquet"))
    assert paths  # no part at all must not pass
    return paths


def test_it_finds_exactly_the_ground_truth_in_the_raw_files(raw):
    found = reference.findings(reference.read_raw(raw.out), MONTH)
    truth = truth_set(raw.ground_truth, "id_number")
    assert found - truth == set()  # precision 1.0: no finding the generator did not plant
    assert truth - found == set()  # recall 1.0


def test_it_finds_exactly_the_ground_truth_in_the_keyed_store(keyed):
    found = reference.findings(reference.read_keyed(keyed.out), MONTH)
    assert found == truth_set(keyed.ground_truth, "pid", int)


def test_the_ground_truth_file_matches_what_generate_returns(raw):
    rows = read_csv(raw.paths["ground_truth"])
    assert truth_set(rows, "id_number") == truth_set(raw.ground_truth, "id_number")
    assert list(rows[0]) == [
        "month", "rule", "risk", "programme", "check", "school_code", "pid", "id_number",
        "id_masked", "counterpart_school_code", "counterpart_kind", "detail", "scenario",
    ]  # fmt: skip


def test_every_rule_has_cases_and_every_scenario_a_finding(raw):
    rules = Counter(int(r["rule"]) for r in raw.ground_truth)
    assert sorted(rules) == list(range(1, 25))
    assert {r["scenario"] for r in raw.ground_truth} == set(CASES)
    assert {r["month"] for r in raw.ground_truth} == {"2025-10"}
    for row in raw.ground_truth:
        if row["check"] in {"age_20_or_over", "shared_phone"}:
            assert row["counterpart_school_code"] == row["counterpart_kind"] == ""
        else:
            assert row["counterpart_school_code"] and row["counterpart_kind"]


def test_the_finding_granularity_is_one_per_counterpart_school(raw):
    by_scenario = Counter((r["scenario"], r["id_number"], r["programme"]) for r in raw.ground_truth)
    for (scenario, _, _), count in by_scenario.items():
        if scenario == "recipient_two_higher_schools":
            assert count == 2  # two schools: two findings
        if scenario in {"aided_3y_both_terms", "recipient_compulsory_two_projects"}:
            assert count == 1  # two records at one school: one finding
    three_ways = [r for r in raw.ground_truth if r["scenario"] == "phone_shared_three_ways"]
    assert three_ways and {r["detail"] for r in three_ways} == {"2"}


def test_the_decoys_cover_each_kind_and_are_not_findings(raw):
    assert {d["decoy"] for d in raw.decoys} == set(DECOYS)
    flagged = {(int(r["rule"]), r["school_code"], r["id_number"]) for r in raw.ground_truth}
    for decoy in raw.decoys:
        for rule in decoy["rules"].split(";"):
            assert (int(rule), decoy["school_code"], decoy["id_number"]) not in flagged
    assert read_csv(raw.paths["decoys"])[0].keys() == raw.decoys[0].keys()


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(raw, tmp_path):
    again = generate(out=tmp_path / "again", scale="test", seed=5, hash_key=KEY)
    other = generate(out=tmp_path / "other", scale="test", seed=6, hash_key=KEY)
    assert digest(again.out) == digest(raw.out)
    assert digest(other.out) != digest(raw.out)


def test_keyed_parts_follow_the_store_contract(keyed):
    registers = sorted(p.name for p in (keyed.out / "registers").iterdir())
    assert registers == sorted(
        ["enrolment_senior_high", "enrolment_compulsory", "enrolment_vocational",
         "recipients_higher", "recipients_senior_high", "recipients_compulsory",
         "recipients_technical", "graduates_senior_high"]
    )  # fmt: skip
    assert sorted(p.name for p in (keyed.out / "registers/recipients_technical").iterdir()) == [
        "month=2025-09", "month=2025-10", "month=2025-11",
    ]  # fmt: skip
    for kind in registers:
        shape = kind.split("_")[0]
        for path in (keyed.out / "registers" / kind).glob("month=*/part-*.parquet"):
            schema = pq.read_schema(path)
            assert {f.name: str(f.type) for f in schema} == STORE_COLUMNS[shape], path
    parts = list(keyed.out.glob("lists/school_year=*/term=*/part-*.parquet"))
    assert {p.parent.relative_to(keyed.out).as_posix() for p in parts} >= {
        "lists/school_year=2025/term=autumn",
        "lists/school_year=2024/term=spring",
        "lists/school_year=2022/term=autumn",
        "lists/school_year=2022/term=spring",
    }
    for path in parts:
        assert {f.name: str(f.type) for f in pq.read_schema(path)} == LIST_COLUMNS
    assert not list(keyed.out.rglob("*.tmp-*"))  # staging folders were renamed


def test_keyed_output_holds_no_raw_id_or_phone(keyed):
    id_like = re.compile(r"\d{17}[\dX]")
    for path in keyed.out.rglob("*.parquet"):
        table = pq.read_table(path)
        assert not {"id_number", "phone", "name"} & set(table.column_names)
        for column in table.column_names:
            if str(table.schema.field(column).type) == "string":
                assert not any(id_like.fullmatch(v or "") for v in table[column].to_pylist())
    lists = pq.read_table(keyed.out / "lists/school_year=2025/term=autumn")
    assert all(re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", m) for m in lists["id_masked"].to_pylist())
    assert all(r["id_number"] == "" for r in keyed.ground_truth)


def test_keyed_rows_are_the_raw_rows_under_another_key(raw, keyed):
    assert raw.rows == keyed.rows
    # the ground truth names the same subjects: masked IDs agree
    assert sorted(r["id_masked"] for r in raw.ground_truth) == sorted(
        r["id_masked"] for r in keyed.ground_truth
    )


def test_raw_ids_phones_and_ages_are_realistic(raw):
    world = reference.read_raw(raw.out)
    planted_old = {r["id_number"] for r in raw.ground_truth if r["check"] == "age_20_or_over"}
    enrolled = world.registers["enrolment_vocational"]["2025-10"]
    for _, id_number, number, status, _ in enrolled:
        assert idnumber.problem(id_number) is None
        assert number is None or phone.problem(number) is None
        assert status in {"在籍", "休学", "转出", "毕业"}
        born = idnumber.birth_date(id_number)
        age = 2025 - born.year - ((born.month, born.day) > (10, 1))
        assert 15 <= age <= 19 or id_number in planted_old
    ids = [row[1] for row in enrolled]
    planted_twice = len(ids) - len(set(ids))
    assert planted_twice < 30  # only planted students of two schools appear twice
    # one number, one person, unless a planted case shares it
    holders = {}
    for _, id_number, number, _, _ in enrolled:
        if number:
            holders.setdefault(number, set()).add(id_number)
    shared = {n for n, people in holders.items() if len(people) > 1}
    sharing = {r["id_number"] for r in raw.ground_truth if r["check"] == "shared_phone"}
    assert all(people & sharing for n, people in holders.items() if n in shared)


def test_raw_lists_and_manifest_agree(raw):
    manifest = read_csv(raw.paths["manifest"])
    assert set(manifest[0]) == {"school_code", "project", "school_year", "term", "file"}
    for entry in manifest[:20]:
        rows = read_csv(raw.out / entry["file"])
        assert list(rows[0]) == ["id_number", "name", "grade", "major", "phone", "amount"]
        assert all(float(r["amount"]) > 0 for r in rows)


def test_raw_ground_truth_carries_the_pid_of_the_import(raw):
    for row in raw.ground_truth[:20]:
        assert int(row["pid"]) == person_key(row["id_number"], KEY)


def test_the_units_file_imports(raw, db):
    rows = read_units_file(raw.paths["units"])
    units_import(rows=rows)
    schools = [r for r in rows if r.level == "school"]
    codes = {r["school_code"] for r in raw.ground_truth}
    assert codes <= {r.code for r in schools}


def test_it_uses_the_schools_of_a_units_file(raw, tmp_path):
    result = generate(out=tmp_path, scale="test", seed=1, units_file=raw.paths["units"])
    codes = {r.code for r in read_units_file(raw.paths["units"])}
    assert {r["school_code"] for r in result.ground_truth} <= codes
    assert "units" not in result.paths


def test_a_spring_month_checks_the_spring_term(tmp_path):
    result = generate(out=tmp_path, scale="test", seed=2, month="2026-03", keyed=True)
    assert (tmp_path / "lists/school_year=2025/term=spring").is_dir()
    assert (tmp_path / "lists/school_year=2025/term=autumn").is_dir()  # the other term
    assert (tmp_path / "lists/school_year=2022/term=spring").is_dir()
    found = reference.findings(reference.read_keyed(tmp_path), Month(2026, 3))
    assert found == truth_set(result.ground_truth, "pid", int)


def test_the_command_writes_a_keyed_store(tmp_path, settings):
    settings.ZIZHU_HASH_KEY = "command-key"
    out = tmp_path / "store"
    call_command(Command(), "--scale", "test", "--seed", "3", "--keyed", "--out", str(out))
    assert (out / "ground_truth.csv").exists()
    assert list(out.glob("registers/enrolment_compulsory/month=2025-10/part-*.parquet"))


def test_the_command_keys_raw_ground_truth_with_the_server_key(tmp_path, settings, capsys):
    settings.ZIZHU_HASH_KEY = "command-key"
    call_command(Command(), "--scale", "test", "--out", str(tmp_path))
    row = read_csv(tmp_path / "ground_truth.csv")[0]
    assert int(row["pid"]) == person_key(row["id_number"], b"command-key")
    assert "ground truth" in capsys.readouterr().out


def test_an_age_finding_is_a_full_twentieth_birthday(raw):
    def twentieth(id_number: str) -> date:
        born = idnumber.birth_date(id_number)
        return date(born.year + 20, born.month, born.day)

    ages = [r for r in raw.ground_truth if r["check"] == "age_20_or_over"]
    assert {r["scenario"] for r in ages} == {"age_20_or_over", "age_exactly_20"}
    assert all(twentieth(r["id_number"]) <= MONTH.first_day for r in ages)
    exact = [r for r in ages if r["scenario"] == "age_exactly_20"]
    assert all(twentieth(r["id_number"]) == MONTH.first_day for r in exact)
    turning = [d for d in raw.decoys if d["decoy"] == "turning_20_after_reference"]
    assert turning and all(twentieth(d["id_number"]) > MONTH.first_day for d in turning)


def test_a_person_looks_the_same_in_every_file(raw):
    planted = {r["id_number"] for r in raw.ground_truth + raw.decoys}
    names: dict[str, set[str]] = {}
    enrolled = set()
    for path in (raw.out / "registers").glob("*.csv"):
        for row in read_csv(path):
            names.setdefault(row["id_number"], set()).add(row["name"])
            if path.name.startswith("enrolment_vocational"):
                enrolled.add((row["school_code"], row["id_number"]))
    for entry in read_csv(raw.paths["manifest"]):
        for row in read_csv(raw.out / entry["file"]):
            names.setdefault(row["id_number"], set()).add(row["name"])
            this_term = (entry["school_year"], entry["term"]) == ("2025", "autumn")
            if this_term and entry["school_code"][:2] == "36" and row["id_number"] not in planted:
                # every 中职 recipient of the term is enrolled at the list's school
                assert (entry["school_code"], row["id_number"]) in enrolled
    assert all(len(n) == 1 for n in names.values())


def test_raw_registers_can_be_parquet(tmp_path):
    generate(out=tmp_path, scale="test", seed=1, register_format="parquet")
    table = pq.read_table(tmp_path / "registers/enrolment_vocational_2025-10.parquet")
    assert table.column_names == ["school_code", "id_number", "name", "grade", "status", "phone"]
    assert all(idnumber.problem(v) is None for v in table["id_number"].to_pylist())


def test_masked_ids_are_the_full_ids_masked():
    world = build_world(SCALES["test"], seed=5, month=MONTH)
    persons = world.persons
    rng = np.random.default_rng(0)
    everyone = rng.permutation(persons.total)  # every block, in no order
    block = persons.block("vocational", "610000")
    background = np.arange(block.base, block.base + block.size)
    planted = rng.integers(persons.block("plant_teen").base, persons.total, 20)
    for g in (everyone, background, np.concatenate([background, planted]), planted):
        expected = idnumber.mask_matrix(persons.id_matrix(g))
        assert (persons.masked_ids(g) == expected).all()


def test_keyed_amounts_are_the_projects_amounts(keyed):
    table = pq.read_table(keyed.out / "registers/recipients_compulsory")
    pairs = set(zip(table["project"].to_pylist(), table["amount"].to_pylist(), strict=True))
    assert pairs == {(p, Decimal(AMOUNTS[p])) for p in ("compulsory_boarding_allowance",
                                                        "compulsory_nutrition")}  # fmt: skip


def test_list_parts_keep_statistics_of_the_columns_checks_filter_on(keyed):
    paths = sorted(keyed.out.glob("lists/school_year=*/term=*/part-*.parquet"))
    assert paths  # no part at all must not pass
    for path in paths:
        row_group = pq.ParquetFile(path).metadata.row_group(0)
        columns = {
            row_group.column(i).path_in_schema: row_group.column(i)
            for i in range(row_group.num_columns)
        }
        for name in ("stage", "programme", "project", "birth_date"):
            assert columns[name].statistics is not None, (path, name)


def test_the_same_seed_writes_the_same_keyed_store(keyed, tmp_path):
    again = generate(out=tmp_path / "again", scale="test", seed=5, keyed=True)
    other = generate(out=tmp_path / "other", scale="test", seed=6, keyed=True)
    assert digest(again.out) == digest(keyed.out)
    assert digest(other.out) != digest(keyed.out)


def _bucket_of_name(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def test_keyed_parts_hold_the_rows_of_the_pid_bucket_they_are_named_after(keyed):
    for path in keyed_parts(keyed.out):
        if path.name == EMPTY_PART:
            continue
        found = row_group_buckets(path, "pid")
        assert found and set(found) == {_bucket_of_name(path)}, path


def test_keyed_parts_keep_statistics_off_the_columns_that_never_prune(keyed):
    for path in keyed_parts(keyed.out):
        metadata = pq.ParquetFile(path).metadata
        if not metadata.num_row_groups:  # the empty part of a table without rows
            continue
        row_group = metadata.row_group(0)
        for i in range(row_group.num_columns):
            column = row_group.column(i)
            if column.path_in_schema in {"school_code", "status", "grade", "phone_key"}:
                assert column.statistics is None, (path, column.path_in_schema)


def test_side_files_hold_the_rows_with_a_phone_by_phone_bucket(keyed):
    folders = sorted({path.parent for path in keyed_parts(keyed.out)})
    sides = 0
    for folder in folders:
        rows = pq.read_table(sorted(folder.glob("part-*.parquet")), partitioning=None)
        side_files = sorted(folder.glob(f"{buckets.PHONES_PREFIX}*.parquet"))
        if "phone_key" not in rows.column_names:
            assert not side_files, folder
            continue
        shape = "list" if "row_id" in rows.column_names else "enrolment"
        names = buckets.PHONE_SCHEMAS[shape].names
        written = pq.read_table(side_files, partitioning=None).cast(buckets.PHONE_SCHEMAS[shape])
        expected = rows.filter(rows["phone_key"].is_valid()).select(names)
        order = [(name, "ascending") for name in names]
        assert written.sort_by(order).equals(expected.cast(written.schema).sort_by(order))
        for side in side_files:
            assert set(row_group_buckets(side, "phone_key")) == {_bucket_of_name(side)}, side
        sides += 1
    assert sides
