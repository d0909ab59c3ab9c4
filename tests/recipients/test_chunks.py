"""The import read, checked and kept a chunk at a time (zizhu.lib.tabular.read_column_chunks,
zizhu.recipients.packed) stores, hashes and refuses exactly as a list checked whole: here
with chunks, runs, blocks and batches of a few rows, so that every boundary is crossed."""

import pytest
from django.utils import timezone

from tests.recipients.factories import make_id
from tests.recipients.test_columns import HEADER, awkward_rows, csv_file
from tests.recipients.test_import import _assert_stored_as_checked, _varied, uploads_order
from zizhu.catalogue.models import AidProject
from zizhu.lib.tabular import Columns, TableError, read_column_chunks, read_table
from zizhu.recipients.models import RecipientList, RecipientRow
from zizhu.recipients.services import recipient_list_import
from zizhu.recipients.validation import COLUMNS, NAMES, content_hash, validate_columns


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr("zizhu.lib.tabular.CHUNK_ROWS", 7)
    monkeypatch.setattr("zizhu.recipients.services.CHECK_ROWS", 6)
    monkeypatch.setattr("zizhu.recipients.packed.RUN_ROWS", 11)
    monkeypatch.setattr("zizhu.recipients.packed.BLOCK_ROWS", 3)
    monkeypatch.setattr("zizhu.recipients.packed.HASH_BATCH", 5)
    monkeypatch.setattr("zizhu.recipients.storing.SEAL_BATCH", 4)


def _key(tree):
    project = AidProject.objects.get(code="vocational_national_grant")
    return {"school": tree["3661000001"], "project": project, "year": 2025, "term": "autumn"}


def _write(tmp_path, table):
    return csv_file(tmp_path, [[raw[name] for name in NAMES] for _, raw in table])


@pytest.mark.parametrize("read", ["chunks", "rows"])
def test_it_stores_and_hashes_a_list_kept_in_many_runs_as_one_checked_whole(
    tree, tmp_path, small_chunks, read
):
    table = _varied(range(60))
    path = _write(tmp_path, table)
    source = read_column_chunks(path, COLUMNS) if read == "chunks" else table

    stored = recipient_list_import(**_key(tree), rows=source).recipient_list

    _assert_stored_as_checked(stored, table, uploads_order())  # every row whole
    whole, problems = validate_columns(Columns.of_rows(table, NAMES), today=timezone.localdate())
    assert not problems
    assert stored.content_hash == content_hash(whole.rows())  # the row-by-row hash
    assert stored.total_amount == sum(r.amount for r in whole.rows())
    assert stored.row_count == 60


def test_it_finds_every_problem_of_every_chunk_as_the_whole_check_and_writes_nothing(
    tree, tmp_path, small_chunks
):
    data = awkward_rows()[:31]  # not the row born "after today": today is the clock's here
    data += [[make_id(n), f"学生{n}", "1150", "", "", "", "", ""] for n in range(40, 60)]
    data[-1][0] = make_id(0)  # the same person as row 2, chunks apart
    path = csv_file(tmp_path, data)
    rows = read_table(path, COLUMNS).rows
    _, expected = validate_columns(Columns.of_rows(rows, NAMES), today=timezone.localdate())
    assert any("重复" in p.message and p.row == len(data) + 1 for p in expected)

    with pytest.raises(TableError) as refused:
        recipient_list_import(**_key(tree), rows=read_column_chunks(path, COLUMNS))

    assert refused.value.problems == sorted(expected, key=lambda p: (p.row, p.column))
    assert not RecipientList.objects.exists() and not RecipientRow.objects.exists()


def test_a_problem_in_the_last_chunk_alone_still_writes_nothing(tree, tmp_path, small_chunks):
    data = [[make_id(n), f"学生{n}", "1150", "", "", "", "", ""] for n in range(50)]
    data[-1][2] = "abc"
    path = csv_file(tmp_path, data)

    with pytest.raises(TableError) as refused:
        recipient_list_import(**_key(tree), rows=read_column_chunks(path, COLUMNS))

    assert [(p.row, p.column) for p in refused.value.problems] == [(51, "amount")]
    assert not RecipientList.objects.exists() and not RecipientRow.objects.exists()


def test_the_chunked_read_closes_the_file_when_not_read_to_the_end(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(",".join(HEADER) + "\n" + f"{make_id(1)},甲,100\n", encoding="utf-8")
    with read_column_chunks(path, COLUMNS) as chunks:
        stream = chunks.stream
        assert stream is not None and not stream.closed
    assert stream.closed


def test_the_kept_rows_have_the_types_pyarrow_infers_for_the_checked_columns():
    import numpy as np
    import pyarrow as pa

    from zizhu.recipients.packed import ROW_COLUMNS, ROW_SCHEMA

    clean, problems = validate_columns(
        Columns.of_rows(_varied(range(20)), NAMES), today=timezone.localdate()
    )
    assert not problems
    columns = {name: getattr(clean, name) for name in ROW_COLUMNS}
    columns.update(birth_date=clean.birth_date, pid=np.arange(len(clean), dtype=np.int64))

    assert pa.table(columns).schema == ROW_SCHEMA


def test_an_import_takes_arrows_memory_from_malloc_and_gives_the_pool_back(
    tree, tmp_path, monkeypatch
):
    """Inside an import Arrow allocates with the C library's malloc (what it frees is reused
    by the Python objects that follow); after it, and after a refused list too, the process's
    own pool is back."""
    import pyarrow as pa

    from zizhu.recipients import services

    before = pa.default_memory_pool().backend_name
    assert before != "system"  # pyarrow's wheels build mimalloc or jemalloc in
    seen = []
    real = services._import

    def spy(**kwargs):
        seen.append(pa.default_memory_pool().backend_name)
        return real(**kwargs)

    monkeypatch.setattr(services, "_import", spy)
    rows = [[make_id(n), f"学生{n}", "1150", "一年级", "数控技术", "", "", ""] for n in range(3)]
    (tmp_path / "good").mkdir()
    good = csv_file(tmp_path / "good", rows)
    recipient_list_import(**_key(tree), rows=read_table(good, COLUMNS).rows)
    (tmp_path / "bad").mkdir()
    bad = csv_file(tmp_path / "bad", [["not an id", *rows[0][1:]]])
    with pytest.raises(TableError):
        recipient_list_import(**_key(tree), rows=read_table(bad, COLUMNS).rows)
    assert seen == ["system", "system"]
    assert pa.default_memory_pool().backend_name == before
