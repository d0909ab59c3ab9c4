"""Register files written by hand, in every format, and a store and media folder per test.

`person(n)` is the n-th synthetic student: a valid ID (born 2008 in Xi'an), a name and a phone.
`bucket_files` and `in_order` read a bucketed partition (the list export's tests use them too).
"""

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from zizhu.lib.idnumber import check_char
from zizhu.store import buckets

MONTH = "2024-10"
SCHOOL = "3461000001"  # a senior high
OTHER_SCHOOL = "3461000002"

ENGLISH = {
    "enrolment": ["school_code", "id_number", "name", "grade", "status", "phone"],
    "recipients": ["school_code", "id_number", "name", "project", "amount"],
    "graduates": ["school_code", "id_number", "name", "graduation_year"],
}
CHINESE = {
    "school_code": "学校标识码",
    "id_number": "身份证件号",
    "name": "姓名",
    "grade": "年级",
    "status": "学籍状态",
    "phone": "联系电话",
    "project": "资助项目",
    "amount": "资助金额",
    "graduation_year": "毕业年份",
}


def make_id(area: str = "610112", born: str = "20080315", sequence: int = 1) -> str:
    first17 = f"{area}{born}{sequence:03d}"
    return first17 + check_char(first17)


def person(n: int) -> dict[str, str]:
    return {
        "id_number": make_id(sequence=n),
        "name": f"学生{n}",
        "phone": f"1380013{n:04d}",
    }


def good_rows(shape: str, count: int = 3) -> list[dict[str, str]]:
    rows = []
    for n in range(1, count + 1):
        who = person(n)
        row = {"school_code": SCHOOL, "id_number": who["id_number"], "name": who["name"]}
        if shape == "enrolment":
            row.update(grade="高一", status="在籍", phone=who["phone"])
        elif shape == "recipients":
            row.update(project="senior_high_national_grant", amount="1000.50")
        else:
            row.update(graduation_year="2024")
        rows.append(row)
    return rows


def write_file(
    folder: Path,
    shape: str,
    rows: list[dict[str, str]],
    fmt: str = "csv",
    *,
    chinese: bool = False,
    encoding: str = "utf-8",
    name: str = "register",
) -> Path:
    names = ENGLISH[shape]
    header = [CHINESE[n] for n in names] if chinese else names
    path = folder / f"{name}.{fmt}"
    values = [[row.get(n, "") for n in names] for row in rows]
    if fmt == "csv":
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(values)
    elif fmt == "xlsx":
        workbook = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, header)
        for number, row in enumerate(values, start=1):
            sheet.write_row(number, 0, row)
        workbook.close()
    else:
        columns = list(zip(*values, strict=True)) if values else [[] for _ in names]
        pq.write_table(
            pa.table({h: pa.array(c, pa.string()) for h, c in zip(header, columns, strict=True)}),
            path,
        )
    return path


@pytest.fixture
def store(settings, tmp_path) -> Path:
    root = tmp_path / "store"
    settings.ZIZHU_STORE = str(root)
    settings.MEDIA_ROOT = tmp_path / "media"
    return root


@pytest.fixture
def files(tmp_path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


def in_order(table: pa.Table) -> pa.Table:
    """The table's rows sorted on every column: a snapshot holds its rows bucket by bucket
    (docs/analytics-store.md, "Buckets"), not in the order of the file."""
    return table.sort_by([(name, "ascending") for name in table.column_names])


def bucket_files(folder: Path, prefix: str, key: str) -> list[pa.Table]:
    """The tables of the files `{prefix}BB.parquet` of `folder`, each checked to hold the rows
    of bucket BB only, in row groups with min/max statistics of `key` inside that bucket."""
    tables = []
    for path in sorted(folder.glob(f"{prefix}*.parquet")):
        bucket = int(path.name.removeprefix(prefix).removesuffix(".parquet"))
        table = pq.read_table(path)
        assert set(buckets.of(table.column(key).to_numpy())) == {bucket}, path.name
        metadata = pq.ParquetFile(path).metadata
        column = metadata.schema.names.index(key)
        for group in range(metadata.num_row_groups):
            statistics = metadata.row_group(group).column(column).statistics
            assert statistics is not None and statistics.has_min_max, (path.name, group)
            low, high = buckets.of(np.array([statistics.min, statistics.max], np.int64))
            assert low == high == bucket, (path.name, group)
        tables.append(table)
    return tables


def tree_listing(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its content: equal listings mean an untouched store."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }
