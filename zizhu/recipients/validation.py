"""Row-by-row validation of a recipient list file, before anything is written.

Every problem is collected (row, column, reason in the active language); the caller writes
nothing when there is any."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import compress
from typing import TypeVar, cast

import numpy as np

from zizhu.lib import idnumber, phone
from zizhu.lib.formats import figure
from zizhu.lib.i18n import gettext as _
from zizhu.lib.i18n import one_language
from zizhu.lib.tabular import Column, Columns, Problem

COLUMNS = [
    Column("id_number", "身份证件号"),
    Column("name", "姓名"),
    Column("amount", "资助金额"),
    Column("grade", "年级", required=False),
    Column("major", "专业", required=False),
    Column("phone", "联系电话", required=False),
    Column("bank_account", "银行卡号", required=False),
]
TEMPLATE_HEADER = [f"{c.alias}" for c in COLUMNS]
# a column by its Chinese header, as pages, reports and messages name it
ALIASES = {c.name: c.alias for c in COLUMNS}
MAX_AMOUNT = Decimal("100000")
NAME_LIMIT = 50  # characters
LENGTH_LIMITS = (("grade", 20), ("major", 60), ("bank_account", 30))  # characters


@dataclass(frozen=True)
class CleanRow:
    row_number: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    grade: str
    major: str
    phone: str
    amount: Decimal
    bank_account: str


def parse_amount(text: str) -> tuple[Decimal | None, str | None]:
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        return None, _("The amount is not a valid number")
    if not value.is_finite() or value <= 0:
        return None, _("The amount must be greater than 0")
    if value.as_tuple().exponent < -2:
        return None, _("The amount may have at most two decimal places")
    if value > MAX_AMOUNT:
        return None, _("The amount exceeds the limit per person, %(limit)s yuan") % {
            "limit": figure(MAX_AMOUNT)
        }
    return value.quantize(Decimal("0.01")), None


def validate_row(number: int, raw: dict[str, str], today: date):
    """A clean row, or the problems of this row."""
    problems: list[Problem] = []
    id_problem = idnumber.problem(raw.get("id_number", ""), today=today)
    if id_problem:
        problems.append(Problem(number, "id_number", id_problem))
    name = raw.get("name", "").strip()
    if not name:
        problems.append(Problem(number, "name", _("The name is empty")))
    elif len(name) > NAME_LIMIT:
        problems.append(Problem(number, "name", _("The name is too long")))
    amount, amount_problem = parse_amount(raw.get("amount", ""))
    if amount_problem:
        problems.append(Problem(number, "amount", amount_problem))
    phone_text = raw.get("phone", "").strip()
    if phone_text and (phone_problem := phone.problem(phone_text)):
        problems.append(Problem(number, "phone", phone_problem))
    for column, limit in LENGTH_LIMITS:
        if len(raw.get(column, "")) > limit:
            too_long = _("At most %(limit)s characters") % {"limit": limit}
            problems.append(Problem(number, column, too_long))
    if problems:
        return None, problems
    id18 = idnumber.normalise(raw["id_number"])
    return CleanRow(
        row_number=number,
        id_number=id18,
        name=name,
        sex=idnumber.sex(id18),
        birth_date=idnumber.birth_date(id18),
        grade=raw.get("grade", "").strip(),
        major=raw.get("major", "").strip(),
        phone=phone.normalise(phone_text) if phone_text else "",
        amount=amount,
        bank_account=raw.get("bank_account", "").strip(),
    ), []


def validate_rows(rows: list[tuple[int, dict[str, str]]], *, today: date):
    """All clean rows and all problems, including an ID given twice in the file
    (`validate_columns`, row by row)."""
    clean, problems = validate_columns(Columns.of_rows(rows, NAMES), today=today)
    return clean.rows(), problems


NAMES = [c.name for c in COLUMNS]
ID_PATTERN = idnumber.ID_RE.pattern
MOBILE_PATTERN = phone.MOBILE_RE.pattern
_EPOCH = date(1970, 1, 1)
SEXES = ("female", "male")  # by the parity of the sequence number
T = TypeVar("T")


@dataclass
class CleanColumns:
    """The clean rows of a list column by column, in the file's order; `amount` is the
    amount with two decimals, `birth_date` days since 1970-01-01 (int32)."""

    row_number: list[int]
    id_number: list[str]
    name: list[str]
    sex: list[str]
    birth_date: np.ndarray
    grade: list[str]
    major: list[str]
    phone: list[str]
    amount: list[str]
    bank_account: list[str]

    def __len__(self) -> int:
        return len(self.row_number)

    def rows(self) -> list[CleanRow]:
        columns = {**vars(self), "birth_date": self.birth_dates()}
        return [
            CleanRow(n, i, name, sex, date.fromisoformat(b), g, m, p, Decimal(a), bank)
            for n, i, name, sex, b, g, m, p, a, bank in zip(*columns.values(), strict=True)
        ]

    def birth_dates(self) -> list[str]:
        """The birth dates in ISO form."""
        dates: list[str] = self.birth_date.astype("datetime64[D]").astype(str).tolist()
        return dates

    def select(self, keep: np.ndarray) -> "CleanColumns":
        """The rows where `keep` (bool, one a row) is true."""
        flags = keep.tolist()
        lists = {
            f: list(compress(getattr(self, f), flags))
            for f in self.__dataclass_fields__
            if f != "birth_date"
        }
        return CleanColumns(**lists, birth_date=self.birth_date[keep])

    def total_amount(self) -> Decimal:
        return sum((Decimal(a) * n for a, n in Counter(self.amount).items()), Decimal("0.00"))

    def id_matrix(self) -> np.ndarray:
        """(n, 18) uint8: the IDs, for the batch keyed hash."""
        return _id_matrix(self.id_number)


def _id_matrix(ids: list[str]) -> np.ndarray:
    return np.array(ids, dtype="S18").view(np.uint8).reshape(len(ids), 18)


_POWERS = 10 ** np.arange(16, -1, -1, dtype=np.int64)


def id_keys(ids: list[str] | np.ndarray) -> np.ndarray:
    """Valid IDs (17 digits, then a digit or X; or their (n, 18) uint8 matrix) as int64
    keys, in the IDs' own order: the 17 digits as a number, times 11, plus the last digit
    (X: 10). Equal keys, equal IDs; 8 bytes an ID instead of 18."""
    matrix = ids if isinstance(ids, np.ndarray) else _id_matrix(ids)
    last = matrix[:, 17].astype(np.int64) - ord("0")
    last[matrix[:, 17] == ord("X")] = 10
    return (matrix[:, :17].astype(np.int64) - ord("0")) @ _POWERS * 11 + last


def _matches(values: list[str], pattern: str) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(pa.array(values, pa.string()), pattern)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _lengths(values: list[str]) -> np.ndarray:
    return np.fromiter(map(len, values), np.int64, len(values))


def validate_columns(table: Columns, *, today: date) -> tuple[CleanColumns, list[Problem]]:
    """The clean rows and all problems of a list, including an ID given twice in the file
    (`ListCheck` over one chunk)."""
    check = ListCheck(today)
    clean = check.add(table)
    repeated = check.finish()
    if repeated.size:
        clean = clean.select(~np.isin(np.asarray(clean.row_number), repeated))
    return clean, check.problems


class ListCheck:
    """The checks of a list's rows, a chunk of the file at a time: `add` checks a chunk's rows
    on their own and returns those that pass, `finish` then finds the IDs given twice in the
    file (every later row names the first row with a valid ID, even one with other problems).
    `problems` collects every problem. Between the chunks only the valid IDs and their row
    numbers are kept (16 bytes a row)."""

    def __init__(self, today: date):
        self.today = today
        self.problems: list[Problem] = []
        self._ids: list[np.ndarray] = []  # id_keys of each chunk's rows with a valid ID
        self._numbers: list[np.ndarray] = []  # their row numbers

    def add(self, table: Columns) -> CleanColumns:
        with one_language():  # a message per problem: the language is read once
            clean, id_ok, ids, found = _check_rows(table, self.today)
        self.problems += found
        self._ids.append(id_keys(list(compress(ids, id_ok.tolist()))))
        self._numbers.append(np.asarray(table.numbers, dtype=np.int32)[id_ok])
        return clean

    def finish(self) -> np.ndarray:
        """The row numbers of the rows whose ID an earlier row has (their problems added)."""
        keys = np.concatenate([np.empty(0, np.int64), *self._ids])
        numbers = np.concatenate([np.empty(0, np.int32), *self._numbers])
        self._ids, self._numbers = [], []
        ordered = np.sort(keys)
        if not (ordered[1:] == ordered[:-1]).any():  # the common case, in little memory
            return np.empty(0, np.int64)
        del ordered
        _unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        earlier = first[inverse.ravel()]
        repeated = np.flatnonzero(earlier != np.arange(len(keys)))
        repeats = _("The same ID number as row %(row)s")
        self.problems += [
            Problem(number, "id_number", repeats % {"row": e})
            for number, e in zip(
                numbers[repeated].tolist(), numbers[earlier[repeated]].tolist(), strict=True
            )
        ]
        return numbers[repeated]


def _check_rows(table: Columns, today: date):
    """The rows that pass every check of their own (as CleanColumns), which rows have a valid
    ID, the IDs (normalised where they did not match) and the problems.

    The common case is decided a column at a time (pyarrow, numpy); every row that does not
    pass it goes through validate_row, so its problems read the same."""
    import pyarrow as pa

    from zizhu.registers.validation import id_check

    n = len(table)
    numbers = table.numbers
    raw = {name: table.values.get(name) or [""] * n for name in NAMES}
    ids = [*raw["id_number"]]
    shaped = _matches(ids, ID_PATTERN)
    if not shaped.all():
        for i in np.flatnonzero(~shaped).tolist():
            ids[i] = idnumber.normalise(ids[i])
        shaped = _matches(ids, ID_PATTERN)
    # a batch at a time: the check widens each ID's digits to int64 (136 bytes an ID)
    id_array = pa.array(ids, pa.string())
    checked = [
        id_check(id_array.slice(at, ID_BATCH), today, shaped[at : at + ID_BATCH])
        for at in range(0, n, ID_BATCH)
    ]
    valid = np.concatenate([np.empty(0, bool), *(v for v, _ in checked)])
    born = np.concatenate([np.empty(0, np.int32), *(b for _, b in checked)])
    del id_array, checked
    names = list(map(str.strip, raw["name"]))
    name_length = _lengths(names)
    parsed = {text: parse_amount(text) for text in set(raw["amount"])}
    amount_of = {text: str(value) for text, (value, problem) in parsed.items() if not problem}
    amounts = list(map(amount_of.get, raw["amount"]))
    phones = list(map(str.strip, raw["phone"]))
    fast = (
        valid
        & (name_length > 0)
        & (name_length <= NAME_LIMIT)
        & np.fromiter((a is not None for a in amounts), bool, n)
        & ((_lengths(phones) == 0) | _matches(phones, MOBILE_PATTERN))
    )
    for column, limit in LENGTH_LIMITS:
        fast &= _lengths(raw[column]) <= limit
    clean = fast.copy()
    id_ok = valid.copy()
    problems: list[Problem] = []
    patched: list[tuple[int, CleanRow]] = []
    for i in np.flatnonzero(~fast).tolist():
        row, found = validate_row(numbers[i], {k: v[i] for k, v in raw.items()}, today)
        problems += found
        id_ok[i] = not any(p.column == "id_number" for p in found)
        if row is not None:
            clean[i] = True
            patched.append((i, row))

    everything = bool(clean.all())  # the common case: no copies of a million-row column
    keep = [] if everything else clean.tolist()

    def kept(values: list[T]) -> list[T]:
        return values if everything else list(compress(values, keep))

    grades, majors, banks = (
        list(map(str.strip, raw[c])) for c in ("grade", "major", "bank_account")
    )
    clean_ids = ids if not patched else [*ids]  # `ids` keeps what the duplicate check sees
    for i, row in patched:
        clean_ids[i], names[i], phones[i] = row.id_number, row.name, row.phone
        amounts[i], born[i] = str(row.amount), (row.birth_date - _EPOCH).days
        grades[i], majors[i], banks[i] = row.grade, row.major, row.bank_account
    kept_ids = kept(clean_ids)
    odd = _id_matrix(kept_ids)[:, 16] % 2 == 1  # ord("0") is even
    columns = CleanColumns(
        row_number=kept(numbers),
        id_number=kept_ids,
        name=kept(names),
        sex=list(map(SEXES.__getitem__, odd.tolist())),
        birth_date=born if everything else born[clean],
        grade=kept(grades),
        major=kept(majors),
        phone=kept(phones),
        amount=cast(list[str], kept(amounts)),
        bank_account=kept(banks),
    )
    return columns, id_ok, ids, problems


def content_hash(rows: list[CleanRow]) -> str:
    """The same content gives the same hash whatever the row order: re-uploads are no-ops."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.id_number):
        digest.update(
            "\x1f".join(
                (
                    row.id_number,
                    row.name,
                    row.grade,
                    row.major,
                    row.phone,
                    str(row.amount),
                    row.bank_account,
                )
            ).encode()
            + b"\x1e"
        )
    return digest.hexdigest()


HASHED_COLUMNS = ("id_number", "name", "grade", "major", "phone", "amount", "bank_account")


ID_BATCH = 100_000
