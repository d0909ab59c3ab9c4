"""SnapshotWriter on a local folder and on a file system without rename (object storage): one
file per bucket of `pid`, side files per bucket of `phone_key` (docs/analytics-store.md,
"Buckets")."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from tests.registers.conftest import bucket_files, good_rows, in_order
from zizhu.anomalies.engine.inputs import Store, latest_snapshot
from zizhu.lib.periods import Month
from zizhu.lib.tabular import TableError
from zizhu.registers.services import RegisterRejected, register_import
from zizhu.registers.storage import SnapshotWriter
from zizhu.store import buckets
from zizhu.store import writer as store_writer
from zizhu.store.schemas import REGISTER_SCHEMAS as STORE_SCHEMAS

SCHEMA = STORE_SCHEMAS["graduates"]
ENROLMENT = STORE_SCHEMAS["enrolment"]
KIND = "enrolment_senior_high"


def rows(count: int) -> pa.Table:
    return pa.table(
        {
            "school_code": ["3461000001"] * count,
            "pid": list(range(count)),
            "birth_date": pa.array([0] * count, pa.int32()).view(pa.date32()),
            "graduation_year": pa.array([2024] * count, pa.int32()),
        },
        schema=SCHEMA,
    )


def enrolment_rows(count: int, seed: int) -> pa.Table:
    """Enrolment rows with uniform random keys, every bucket, and no phone on one in five."""
    rng = np.random.default_rng(seed)
    keys = np.iinfo(np.int64)
    return pa.table(
        {
            "school_code": pa.array(rng.choice(["3461000001", "3461000002"], count)),
            "pid": rng.integers(keys.min, keys.max, count, dtype=np.int64),
            "birth_date": pa.array(rng.integers(13_000, 14_000, count, dtype=np.int32)).view(
                pa.date32()
            ),
            "phone_key": pa.array(
                rng.integers(keys.min, keys.max, count, dtype=np.int64),
                mask=rng.random(count) < 0.2,
            ),
            "status": pa.array(rng.choice(["在籍", "休学"], count)),
            "grade": pa.array(rng.choice(["高一", "高二", "高三"], count)),
        },
        schema=ENROLMENT,
    )


def folders(store: Store, kind: str) -> list[str]:
    return store.subfolders(f"registers/{kind}")


def names(store: Store, folder: str) -> set[str]:
    return {i.base_name for i in store.fs.get_file_info(pafs.FileSelector(folder))}


@pytest.mark.parametrize("location", ["local", "mock:///store"])
def test_a_commit_replaces_the_month_and_an_abort_leaves_nothing(tmp_path, location):
    store = Store(tmp_path / "store" if location == "local" else location)
    kind = "graduates_senior_high"
    for count in (3, 2):
        writer = SnapshotWriter(store, kind, "2024-10", SCHEMA)
        assert folders(store, kind)[-1].startswith("month=2024-10.tmp-")
        # a half-written snapshot is invisible to the engines
        assert latest_snapshot(store, kind, Month(2024, 10)) in (None, Month(2024, 10))
        writer.write(rows(count))
        writer.commit()
    assert folders(store, kind) == ["month=2024-10"]
    # pids 0 and 1: the smallest non-negative keys, both in the middle bucket
    folder = f"{store.root}/registers/{kind}/month=2024-10"
    assert names(store, folder) == {f"part-{buckets.COUNT // 2}.parquet"}
    part = f"{folder}/part-{buckets.COUNT // 2}.parquet"
    assert pq.read_table(part, filesystem=store.fs).num_rows == 2
    writer = SnapshotWriter(store, kind, "2024-11", SCHEMA)
    writer.write(rows(1))
    writer.abort()
    assert folders(store, kind) == ["month=2024-10"]


@pytest.mark.parametrize("location", ["local", "mock:///store"])
def test_a_commit_moves_every_part_and_side_file_and_an_abort_leaves_none(tmp_path, location):
    store = Store(tmp_path / "store" if location == "local" else location)
    table = enrolment_rows(2_000, seed=1)
    writer = SnapshotWriter(store, KIND, "2024-10", ENROLMENT)
    writer.write(table)
    writer.commit()
    written = names(store, f"{store.root}/registers/{KIND}/month=2024-10")
    every_bucket = range(buckets.COUNT)
    assert written == {f"part-{b:02d}.parquet" for b in every_bucket} | {
        f"_phones-{b:02d}.parquet" for b in every_bucket
    }
    writer = SnapshotWriter(store, KIND, "2024-11", ENROLMENT)
    writer.write(table)
    writer.abort()
    assert folders(store, KIND) == ["month=2024-10"]


def test_each_part_holds_one_bucket_and_together_the_rows_written(tmp_path, monkeypatch):
    # small row groups: a bucket's buffer is written several times while the chunks arrive
    monkeypatch.setattr(store_writer, "ROW_GROUP", 100)
    chunks = [enrolment_rows(5_000, seed) for seed in range(4)]
    snapshot = SnapshotWriter(tmp_path, KIND, "2024-10", ENROLMENT)
    for chunk in chunks:
        snapshot.write(chunk)
    snapshot.commit()
    folder = tmp_path / "registers" / KIND / "month=2024-10"
    written = pa.concat_tables(chunks)
    assert snapshot.rows == written.num_rows == 20_000

    parts = bucket_files(folder, "part-", "pid")
    assert len(parts) == buckets.COUNT
    assert in_order(pa.concat_tables(parts)).equals(in_order(written))
    assert max(pq.ParquetFile(p).metadata.num_row_groups for p in folder.glob("part-*")) > 1

    phones = bucket_files(folder, buckets.PHONES_PREFIX, "phone_key")
    assert len(phones) == buckets.COUNT
    with_phone = written.filter(written.column("phone_key").is_valid())
    expected = with_phone.select(["phone_key", "pid"])
    assert in_order(pa.concat_tables(phones)).equals(in_order(expected))


def test_rows_without_a_phone_column_have_no_side_files(tmp_path):
    snapshot = SnapshotWriter(tmp_path, "graduates_senior_high", "2024-10", SCHEMA)
    snapshot.write(rows(3))
    snapshot.commit()
    folder = tmp_path / "registers/graduates_senior_high/month=2024-10"
    assert [p.name for p in folder.iterdir()] == [f"part-{buckets.COUNT // 2}.parquet"]


def test_a_partition_without_rows_has_one_empty_part(tmp_path):
    snapshot = SnapshotWriter(tmp_path, KIND, "2024-10", ENROLMENT)
    snapshot.write(enrolment_rows(0, seed=1))
    snapshot.commit()
    folder = tmp_path / "registers" / KIND / "month=2024-10"
    assert [p.name for p in folder.iterdir()] == ["part-0.parquet"]
    table = pq.read_table(folder / "part-0.parquet")
    assert (table.num_rows, snapshot.rows) == (0, 0)
    assert table.schema.equals(ENROLMENT)


def test_an_abort_after_written_row_groups_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(store_writer, "ROW_GROUP", 40)
    snapshot = SnapshotWriter(tmp_path, KIND, "2024-10", ENROLMENT)
    snapshot.write(enrolment_rows(5_000, seed=1))
    assert any(Path(snapshot.staging).iterdir())  # files were opened and written to
    snapshot.abort()
    assert not any((tmp_path / "registers" / KIND).iterdir())


def test_a_hostile_xlsx_is_refused_before_parsing(db, store, files):
    path = files / "bomb.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(RegisterRejected) as exc:
        register_import(kind="recipients_technical", month="2024-10", path=path)
    assert exc.value.problems[0].row == 0
    assert not any(store.rglob("*.parquet"))


def test_a_corrupt_parquet_file_is_a_problem_not_a_crash(db, store, files):
    path = files / "broken.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(TableError) as exc:
        register_import(kind="recipients_technical", month="2024-10", path=path)
    assert exc.value.problems[0].message == "无法读取 Parquet 文件，请重新导出"


def test_parquet_columns_of_other_types_are_read_as_text(db, store, files):
    rows_ = good_rows("graduates", 2)
    path = files / "typed.parquet"
    pq.write_table(
        pa.table(
            {
                "school_code": pa.array([int(r["school_code"]) for r in rows_], pa.int64()),
                "id_number": [r["id_number"] for r in rows_],
                "name": pa.array([r["name"] for r in rows_]).dictionary_encode(),
                "graduation_year": pa.array([2024, 2023], pa.int32()),
            }
        ),
        path,
    )
    register_import(kind="graduates_senior_high", month="2024-10", path=path)
    written = pq.read_table(store / "registers/graduates_senior_high/month=2024-10")
    assert sorted(written.column("graduation_year").to_pylist()) == [2023, 2024]
