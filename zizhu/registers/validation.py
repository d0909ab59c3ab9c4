"""Checking a batch of register records and turning the valid ones into store rows.

Every record is checked with the rules of the recipient lists (zizhu.lib.idnumber, .phone):
the common case is decided column by column with pyarrow and numpy, and the records that fail
get their reason from the same scalar functions the recipient lists use, so the messages are
the same. Names are checked and dropped: nothing of the person but `pid`, `phone_key` and the
birth date reaches the store.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext_lazy

from zizhu.lib import idnumber, phone
from zizhu.lib.i18n import gettext as _
from zizhu.lib.i18n import one_language
from zizhu.lib.tabular import Problem
from zizhu.registers.hashing import KeyHasher
from zizhu.registers.kinds import ACTIVE_STATUS, ENROLMENT, FILE_COLUMNS, GRADUATES, RECIPIENTS
from zizhu.registers.reading import Batch
from zizhu.store.schemas import REGISTER_SCHEMAS

ID_PATTERN = r"^[0-9]{17}[0-9X]$"
SCHOOL_CODE_PATTERN = r"^[0-9]{10}$"
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"  # decimal(12, 2)
YEAR_PATTERN = r"^[0-9]{4}$"
EARLIEST_GRADUATION = 1950
LIMITS = {"name": 50, "grade": 20, "status": 20, "project": 60}
TOO_LONG = {  # a column's value over its limit (%(limit)s)
    "name": gettext_lazy("The name is too long (at most %(limit)s characters)"),
    "grade": gettext_lazy("The grade is too long (at most %(limit)s characters)"),
    "status": gettext_lazy("The enrolment status is too long (at most %(limit)s characters)"),
    "project": gettext_lazy("The aid project is too long (at most %(limit)s characters)"),
}

_WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int64)
_CHECK_BYTES = np.frombuffer(idnumber.CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_EARLIEST_BIRTH = (idnumber.EARLIEST_BIRTH - date(1970, 1, 1)).days


@dataclass
class Checked:
    table: pa.Table | None  # store rows of the valid records (None when not asked for)
    problems: list[Problem]
    records: int  # non-blank records checked


class _Report:
    """Problems of one batch, and which records have any."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.bad = np.zeros(len(rows), dtype=bool)
        self.problems: list[Problem] = []

    def add(self, mask: np.ndarray, column: str, message: str | Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask):
            text = message(int(i)) if callable(message) else message
            self.problems.append(Problem(int(self.rows[i]), column, text))
        self.bad |= mask


def _matches(array: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(array, pattern).to_numpy(zero_copy_only=False)


def _lengths(array: pa.Array) -> np.ndarray:
    return pc.utf8_length(array).to_numpy(zero_copy_only=False)


def fixed_width_matrix(array: pa.Array, width: int) -> np.ndarray:
    """(n, width) uint8 view of a string array whose values are all `width` ASCII bytes."""
    if len(array) == 0:
        return np.empty((0, width), dtype=np.uint8)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset :]
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
    start = int(offsets[0])
    return data[start : start + width * len(array)].reshape(len(array), width)


def _normalised(
    array: pa.Array, pattern: str, normalise: Callable[[str], str], empty: np.ndarray
) -> tuple[pa.Array, np.ndarray]:
    """`normalise` applied to the values not already in normal form (usually none), and which
    of the results match `pattern`."""
    shaped = _matches(array, pattern)
    slow = ~shaped & ~empty
    if not slow.any():
        return array, shaped
    fixed = [normalise(v) for v in array.filter(pa.array(slow)).to_pylist()]
    array = pc.replace_with_mask(array, pa.array(slow), pa.array(fixed, pa.string()))
    return array, _matches(array, pattern)


def id_check(
    ids: pa.Array, today: date, shaped: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(valid, birth date as days since 1970-01-01) of normalised IDs; the rules of
    zizhu.lib.idnumber.problem, on all rows at once. `shaped`: which IDs match ID_PATTERN,
    when already known."""
    n = len(ids)
    valid = np.zeros(n, dtype=bool)
    born = np.zeros(n, dtype=np.int32)
    if shaped is None:
        shaped = _matches(ids, ID_PATTERN)
    where = np.flatnonzero(shaped)
    matrix = fixed_width_matrix(ids.filter(pa.array(shaped)), 18)
    digits = matrix[:, :17].astype(np.int64) - ord("0")
    check_ok = _CHECK_BYTES[(digits @ _WEIGHTS) % 11] == matrix[:, 17]
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month = digits[:, 10:12] @ np.array([10, 1])
    day = digits[:, 12:14] @ np.array([10, 1])
    month_ok = (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month - 1, 0, 11)] + ((month == 2) & leap)
    date_ok = month_ok & (day >= 1) & (day <= month_days)
    year, month, day = (np.where(date_ok, v, d) for v, d in ((year, 1970), (month, 1), (day, 1)))
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype(np.int64) + day - 1
    today_days = (today - date(1970, 1, 1)).days
    plausible = (days >= _EARLIEST_BIRTH) & (days <= today_days)
    valid[where] = check_ok & date_ok & plausible
    born[where] = np.where(date_ok, days, 0)
    return valid, born


def _id_problem(raw: pa.Array, today: date) -> Callable[[int], str]:
    only_ascii = _("The ID number may contain only half-width digits and X")

    def message(i: int) -> str:
        text = raw[i].as_py()
        return idnumber.problem(text, today=today) or only_ascii

    return message


def _phone_problem(raw: pa.Array) -> Callable[[int], str]:
    only_ascii = _("The phone number may contain only half-width digits")

    def message(i: int) -> str:
        text = raw[i].as_py()
        return phone.problem(text) or only_ascii

    return message


def amount_problem(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return _("The amount is not a valid number")
    if not value.is_finite():
        return _("The amount is not a valid number")
    if value <= 0:
        return _("The amount must be greater than 0")
    if value.as_tuple().exponent < -2:
        return _("The amount may have at most two decimal places")
    if value >= 10**10:
        return _("The amount is too large")
    return _("The amount is not a valid number")


def _too_long(report: _Report, lengths: dict[str, np.ndarray], name: str) -> None:
    if name in lengths:
        limit = LIMITS[name]
        report.add(lengths[name] > limit, name, TOO_LONG[name] % {"limit": limit})


def check_batch(
    shape: str,
    batch: Batch,
    *,
    today: date,
    hasher: KeyHasher | None,
) -> Checked:
    """Problems of every record of `batch`, and (when `hasher` is given and there are none)
    the store rows of the batch, schema kinds.REGISTER_SCHEMAS[shape]."""
    with one_language():  # a message per problem: the language is read once
        return _check_batch(shape, batch, today=today, hasher=hasher)


def _check_batch(shape: str, batch: Batch, *, today: date, hasher: KeyHasher | None) -> Checked:
    names = [c.name for c in FILE_COLUMNS[shape] if c.name in batch.columns]
    columns = {n: pc.utf8_trim_whitespace(batch.columns[n]) for n in names}
    rows = batch.rows
    # blank records (a blank line, or a row of empty cells) are skipped, as in tabular
    lengths = {n: _lengths(a) for n, a in columns.items()}
    filled = np.zeros(len(rows), dtype=bool)
    for length in lengths.values():
        filled |= length > 0
    if not filled.all():
        keep = pa.array(filled)
        columns = {n: a.filter(keep) for n, a in columns.items()}
        lengths = {n: length[filled] for n, length in lengths.items()}
        rows = rows[filled]
    report = _Report(rows)
    report.problems.extend(batch.problems)

    empty = {n: length == 0 for n, length in lengths.items()}
    school = columns["school_code"]
    report.add(empty["school_code"], "school_code", _("The school code is empty"))
    report.add(
        ~empty["school_code"] & ~_matches(school, SCHOOL_CODE_PATTERN),
        "school_code",
        _("The school code must have 10 digits"),
    )
    ids, shaped = _normalised(
        columns["id_number"], ID_PATTERN, idnumber.normalise, empty["id_number"]
    )
    id_valid, born = id_check(ids, today, shaped)
    report.add(~id_valid, "id_number", _id_problem(columns["id_number"], today))
    report.add(empty["name"], "name", _("The name is empty"))
    _too_long(report, lengths, "name")
    extra: dict[str, pa.Array] = {}
    if shape == ENROLMENT:
        _too_long(report, lengths, "grade")
        _too_long(report, lengths, "status")
        if "phone" in columns:
            has_phone = ~empty["phone"]
            phones, mobile = _normalised(
                columns["phone"], MOBILE_PATTERN, phone.normalise, empty["phone"]
            )
            report.add(
                has_phone & ~mobile,
                "phone",
                _phone_problem(columns["phone"]),
            )
            extra["phone"] = phones
            extra["has_phone"] = pa.array(has_phone)
    elif shape == RECIPIENTS:
        report.add(empty["project"], "project", _("The aid project is empty"))
        _too_long(report, lengths, "project")
        if "amount" in columns:
            text = pc.replace_substring(columns["amount"], ",", "")
            present = ~empty["amount"]
            shaped = _matches(text, AMOUNT_PATTERN)
            amount = pc.cast(pc.if_else(pa.array(shaped), text, "0"), pa.decimal128(12, 2))
            positive = pc.greater(amount, pa.scalar(0, amount.type)).to_numpy(zero_copy_only=False)
            report.add(
                present & ~(shaped & positive),
                "amount",
                lambda i: amount_problem(text[i].as_py()),
            )
            extra["amount"] = pc.if_else(pa.array(present), amount, pa.scalar(None, amount.type))
    elif shape == GRADUATES:
        text = columns["graduation_year"]
        missing = empty["graduation_year"]
        report.add(missing, "graduation_year", _("The graduation year is empty"))
        shaped = _matches(text, YEAR_PATTERN)
        report.add(
            ~missing & ~shaped, "graduation_year", _("The graduation year must be a 4-digit year")
        )
        year = pc.cast(pc.if_else(pa.array(shaped), text, "0"), pa.int32())
        latest = today.year + 1
        values = year.to_numpy(zero_copy_only=False)
        report.add(
            shaped & ((values < EARLIEST_GRADUATION) | (values > latest)),
            "graduation_year",
            _("The graduation year is not plausible (between %(first)s and %(last)s)")
            % {"first": EARLIEST_GRADUATION, "last": latest},
        )
        extra["graduation_year"] = year

    report.problems.sort(key=lambda p: p.row)
    if hasher is None or report.problems:
        return Checked(None, report.problems, len(rows))
    return Checked(_store_rows(shape, columns, ids, born, extra, hasher), [], len(rows))


def _store_rows(shape, columns, ids, born, extra, hasher: KeyHasher) -> pa.Table:
    data: dict[str, pa.Array] = {
        "school_code": columns["school_code"],
        "pid": pa.array(hasher.person_keys(fixed_width_matrix(ids, 18)), pa.int64()),
        "birth_date": pa.array(born, pa.int32()).view(pa.date32()),
    }
    n = len(ids)
    if shape == ENROLMENT:
        if "phone" in extra:
            has_phone = extra["has_phone"]
            keys = np.zeros(n, dtype=np.int64)
            mask = has_phone.to_numpy(zero_copy_only=False)
            phones = extra["phone"].filter(has_phone)
            keys[mask] = hasher.phone_keys(fixed_width_matrix(phones, 11))
            data["phone_key"] = pa.array(keys, pa.int64(), mask=~mask)
        else:
            data["phone_key"] = pa.nulls(n, pa.int64())
        status = columns.get("status")
        data["status"] = (
            pa.array([ACTIVE_STATUS] * n, pa.string())
            if status is None
            else pc.if_else(pc.equal(status, ""), ACTIVE_STATUS, status)
        )
        grade = columns.get("grade")
        data["grade"] = (
            pa.nulls(n, pa.string())
            if grade is None
            else pc.if_else(pc.equal(grade, ""), pa.scalar(None, pa.string()), grade)
        )
    elif shape == RECIPIENTS:
        data["project"] = columns["project"]
        data["amount"] = extra.get("amount", pa.nulls(n, pa.decimal128(12, 2)))
    elif shape == GRADUATES:
        data["graduation_year"] = extra["graduation_year"]
    schema = REGISTER_SCHEMAS[shape]
    return pa.table([data[name] for name in schema.names], schema=schema)
