"""SnapshotWriter on a local folder and on a file system without rename (object storage)."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.registers.conftest import good_rows
from zizhu.anomalies.engine.inputs import Store, latest_snapshot
from zizhu.lib.periods import Month
from zizhu.lib.tabular import TableError
from zizhu.registers.services import RegisterRejected, register_import
from zizhu.registers.storage import SnapshotWriter
from zizhu.store.schemas import REGISTER_SCHEMAS as STORE_SCHEMAS

SCHEMA = STORE_SCHEMAS["graduates"]


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


def folders(store: Store, kind: str) -> list[str]:
    return store.subfolders(f"registers/{kind}")


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
    assert len(store.parquet_files(f"registers/{kind}/month=2024-10")) == 1
    part = f"{store.root}/registers/{kind}/month=2024-10/part-0.parquet"
    assert pq.read_table(part, filesystem=store.fs).num_rows == 2
    writer = SnapshotWriter(store, kind, "2024-11", SCHEMA)
    writer.write(rows(1))
    writer.abort()
    assert folders(store, kind) == ["month=2024-10"]


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
    assert written.column("graduation_year").to_pylist() == [2024, 2023]
