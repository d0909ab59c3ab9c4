"""A row-by-row reading of an enrolment register CSV with the scalar rules of zizhu.lib and the
HMACs of zizhu.store.keys: what the column-wise import must produce, problem for problem and
row for row. Slow on purpose (csv.reader, one record at a time, hmac per key)."""

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa

from zizhu.lib import idnumber, phone
from zizhu.lib.tabular import Problem
from zizhu.registers.kinds import ACTIVE_STATUS, FILE_COLUMNS
from zizhu.registers.reading import csv_encoding, map_header
from zizhu.store.keys import person_key, phone_key
from zizhu.store.schemas import ENROLMENT, REGISTER_SCHEMAS

LIMITS = {"name": ("姓名", 50), "grade": ("年级", 20), "status": ("学籍状态", 20)}


def _problems(record: dict[str, str], row: int, today: date) -> list[Problem]:
    found = []
    school = record["school_code"]
    if not school:
        found.append(Problem(row, "school_code", "学校标识码不能为空"))
    elif not (len(school) == 10 and school.isascii() and school.isdigit()):
        found.append(Problem(row, "school_code", "学校标识码应为10位数字"))
    reason = idnumber.problem(record["id_number"], today=today)
    if reason:
        found.append(Problem(row, "id_number", reason))
    if not record["name"]:
        found.append(Problem(row, "name", "姓名不能为空"))
    for name, (label, limit) in LIMITS.items():
        if name in record and len(record[name]) > limit:
            found.append(Problem(row, name, f"{label}过长（不超过{limit}个字符）"))
    if record.get("phone"):
        reason = phone.problem(record["phone"])
        if reason:
            found.append(Problem(row, "phone", reason))
    return found


def _store_row(record: dict[str, str], key: bytes) -> dict:
    id18 = idnumber.normalise(record["id_number"])
    number = record.get("phone", "")
    return {
        "school_code": record["school_code"],
        "pid": person_key(id18, key),
        "birth_date": idnumber.birth_date(id18),
        "phone_key": phone_key(phone.normalise(number), key) if number else None,
        "status": record.get("status") or ACTIVE_STATUS,
        "grade": record.get("grade") or None,
    }


def read_enrolment(path: Path, *, key: bytes, today: date) -> tuple[pa.Table | None, list]:
    """(store rows, or None when there is any problem; the problems sorted by row)."""
    encoding = csv_encoding(path)
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
        records = csv.reader(f)
        header = next(records)
        mapping = map_header(header, FILE_COLUMNS[ENROLMENT])
        problems: list[Problem] = []
        rows = []
        for row, cells in enumerate(records, start=2):
            if len(cells) != len(header):
                if any(cell.strip() for cell in cells):
                    message = f"列数与表头不一致：表头{len(header)}列，本行{len(cells)}列"
                    problems.append(Problem(row, "", message))
                continue
            record = {name: cells[index].strip() for name, index in mapping.items()}
            if not any(record.values()):
                continue
            found = _problems(record, row, today)
            problems += found
            if not problems:
                rows.append(_store_row(record, key))
    if problems:
        return None, sorted(problems, key=lambda p: p.row)
    return pa.Table.from_pylist(rows, schema=REGISTER_SCHEMAS[ENROLMENT]), []
