"""The units file and the project's copy of the GB/T 2260 divisions (docs/domain.md, formats)."""

import csv
from pathlib import Path

from zizhu.lib.tabular import Column, read_table
from zizhu.units.services import UnitRow

DIVISIONS_CSV = Path(__file__).parent / "data" / "divisions.csv"

UNIT_COLUMNS = [
    Column("code", "代码"),
    Column("name", "名称"),
    Column("level", "级别"),
    Column("parent_code", "上级代码"),
    Column("stage", "学段", required=False),
    Column("ownership", "办学性质", required=False),
]


def read_units_file(path: Path | str) -> list[UnitRow]:
    table = read_table(path, UNIT_COLUMNS)
    return [
        UnitRow(
            code=r["code"],
            name=r["name"],
            level=r["level"].lower(),
            parent_code=r["parent_code"],
            stage=r.get("stage", "").lower(),
            ownership=r.get("ownership", "").lower(),
            row=number,
        )
        for number, r in table.rows
    ]


def read_divisions(province: str | None = None) -> list[UnitRow]:
    """All divisions, or one province-level division and everything under it."""
    with DIVISIONS_CSV.open(encoding="utf-8") as handle:
        rows = [
            UnitRow(
                code=r["code"],
                name=r["name"],
                level=r["level"],
                parent_code=r["parent_code"],
                kind=r["kind"],
                row=number,
            )
            for number, r in enumerate(csv.DictReader(handle), start=2)
        ]
    if province:
        rows = [r for r in rows if r.code[:2] == province[:2]]
    return rows
