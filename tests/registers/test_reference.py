"""The column-wise import and a row-by-row reading (tests/registers/reference.py) agree: the
same store rows from a good file, the same problems (row, column, reason) from a bad one,
across many batches."""

import random

import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from tests.registers import reference
from tests.registers.conftest import CHINESE, ENGLISH, MONTH, SCHOOL, in_order, make_id
from tests.registers.test_checks import mutations
from zizhu.registers import reading
from zizhu.registers.services import RegisterRejected, register_import
from zizhu.store.schemas import REGISTER_SCHEMAS

KIND = "enrolment_senior_high"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    # about 1,000 records a batch: the file below is read in several
    monkeypatch.setattr(reading, "CSV_BLOCK_BYTES", 64 << 10)


def good_lines(rng: random.Random, count: int) -> list[str]:
    lines = []
    for n in range(count):
        born = f"{rng.randint(2005, 2011)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        id_number = make_id(area=str(rng.randint(110000, 659999)), born=born, sequence=n % 1000)
        number = f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}"
        id_number, number = rng.choice(
            [
                (id_number, number),
                (f" {id_number.lower()} ", f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"),
                ("G" + id_number, ""),
                (id_number, f"（{number[:3]}）{number[3:]}"),
            ]
        )
        grade = rng.choice(["高一", "高二", "", " 高三 "])
        status = rng.choice(["在籍", "", "休学"])
        lines.append(f'{SCHOOL},{id_number},"学生{n}",{grade},{status},{number}')
        if rng.random() < 0.01:
            lines.append(rng.choice(["", ",,,,,", " , , ,,,"]))
    return lines


def bad_lines(rng: random.Random, count: int) -> list[str]:
    ids = mutations(rng, count)
    phones = [
        "029-88886666",
        "1380013000",
        "12345678901",
        "１３８００１３８０００",
        "abc",
        "13800138000",
    ]
    lines = []
    for n, id_number in enumerate(ids):
        school = rng.choice([SCHOOL, SCHOOL, "", "34610", "346100000X"])
        name = rng.choice([f"学生{n}", "", "名" * 51])
        status = rng.choice(["在籍", "在" * 21])
        cells = [school, id_number, name, "高一", status, rng.choice(phones)]
        if rng.random() < 0.02:
            cells = cells[: rng.randint(2, 5)] if rng.random() < 0.5 else [*cells, "多余"]
        lines.append(",".join(f'"{c}"' for c in cells))
    return lines


def write(path, lines: list[str]):
    header = ",".join(CHINESE[n] for n in ENGLISH["enrolment"])
    path.write_text("\n".join([header, *lines]) + "\n", "utf-8")
    return path


def test_the_store_rows_are_those_of_the_row_by_row_reading(db, store, files, settings):
    path = write(files / "good.csv", good_lines(random.Random(1), 6_000))
    snapshot = register_import(kind=KIND, month=MONTH, path=path)
    expected, problems = reference.read_enrolment(
        path, key=settings.ZIZHU_HASH_KEY.encode(), today=timezone.localdate()
    )
    assert problems == []
    written = pq.read_table(store / "registers" / KIND / f"month={MONTH}")
    assert snapshot.rows == expected.num_rows > 5_000
    assert written.schema.equals(REGISTER_SCHEMAS["enrolment"])
    assert in_order(written).equals(in_order(expected))


def test_the_problems_are_those_of_the_row_by_row_reading(db, store, files, settings):
    rng = random.Random(2)
    lines = good_lines(rng, 3_000)
    for line in bad_lines(rng, 600):
        lines.insert(rng.randrange(len(lines) + 1), line)
    path = write(files / "bad.csv", lines)
    with pytest.raises(RegisterRejected) as exc:
        register_import(kind=KIND, month=MONTH, path=path)
    _, expected = reference.read_enrolment(
        path, key=settings.ZIZHU_HASH_KEY.encode(), today=timezone.localdate()
    )
    assert len(expected) > 500
    assert [(p.row, p.column, p.message) for p in exc.value.problems] == [
        (p.row, p.column, p.message) for p in expected
    ]
