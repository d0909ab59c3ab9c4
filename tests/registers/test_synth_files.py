"""The raw register files of the synthetic generator (`generate` without --keyed) import
without a single problem: the generator and the import agree on the exchange formats
(docs/domain.md)."""

import io

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from zizhu.registers.services import register_import


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_generated_register_imports(db, store, tmp_path, fmt):
    out = tmp_path / "world"
    call_command(
        "generate", "--scale", "test", "--seed", "5", "--out", str(out),
        "--register-format", fmt, stdout=io.StringIO(),
    )  # fmt: skip
    files = sorted((out / "registers").glob(f"*.{fmt}"))
    assert len(files) >= 8
    total = 0
    for path in files:
        kind, month = path.stem.rsplit("_", 1)
        snapshot = register_import(kind=kind, month=month, path=path)
        written = pq.read_table(store / "registers" / kind / f"month={month}")
        assert written.num_rows == snapshot.rows
        total += snapshot.rows
    assert total > 500
