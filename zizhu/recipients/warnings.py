"""Warnings that do not block an import: a recipient not found in the school's enrolment
register (the latest enrolment_vocational snapshot in the analytics store)."""

import re
from pathlib import Path

import duckdb
from django.conf import settings
from django.utils import timezone

from zizhu.lib.tabular import Problem

MONTH_DIR = re.compile(r"^month=(\d{4}-\d{2})$")
REGISTER_OF_STAGE = {
    "vocational": "enrolment_vocational",
    "senior_high": "enrolment_senior_high",
    "compulsory": "enrolment_compulsory",
}


def latest_snapshot(kind: str, store: str | None = None) -> Path | None:
    """The newest local snapshot folder of `kind` at or before this month, if any."""
    root = Path(store or settings.ZIZHU_STORE) / "registers" / kind
    if not root.is_dir():
        return None
    this_month = timezone.localdate().strftime("%Y-%m")
    months = sorted(
        match.group(1)
        for child in root.iterdir()
        if child.is_dir() and (match := MONTH_DIR.match(child.name))
    )
    eligible = [m for m in months if m <= this_month]
    return root / f"month={eligible[-1]}" if eligible else None


def enrolment_warnings(school, rows: list[tuple[int, int]], store: str | None = None):
    """Problems for (row number, pid) pairs not enrolled at `school` in the latest snapshot."""
    kind = REGISTER_OF_STAGE.get(school.stage)
    folder = latest_snapshot(kind, store) if kind else None
    if folder is None:
        return []
    with duckdb.connect() as con:
        enrolled = {
            pid
            for (pid,) in con.execute(
                "SELECT DISTINCT pid FROM read_parquet(?) WHERE school_code = ?",
                [str(folder / "*.parquet"), school.code],
            ).fetchall()
        }
    month = folder.name.removeprefix("month=")
    return [
        Problem(number, "id_number", f"未在本校学籍登记册（{month}）中找到，请核实")
        for number, pid in rows
        if pid not in enrolled
    ]
