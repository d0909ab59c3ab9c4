"""Resident ID numbers (GB 11643, docs/domain.md, identifiers).

18 characters: 6-digit area code, birth date YYYYMMDD, 3-digit sequence (odd = male) and an
ISO 7064 MOD 11-2 check character. The area code is not checked against today's divisions:
a code retired since the ID was issued is still a valid ID.

`build_id_matrix` makes many valid IDs at once for the synthetic generator.
"""

import re
from datetime import date
from functools import cache

import numpy as np

from zizhu.lib.i18n import gettext as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by the weighted sum modulo 11
ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")  # [0-9], not \d: \d matches full-width digits
EARLIEST_BIRTH = date(1900, 1, 1)
MASK = "*" * 8


def normalise(text: str) -> str:
    """Strip, upper-case the X, and map a 19-character 学籍号 `G…` to the ID inside it."""
    value = (text or "").strip().upper()
    if len(value) == 19 and value[0] == "G":
        value = value[1:]
    return value


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def birth_date(id18: str) -> date | None:
    """The birth date inside a normalised ID, or None when it is not a real calendar date."""
    try:
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        return None


def sex(id18: str) -> str:
    """`male` when the sequence number is odd, else `female`."""
    return "male" if int(id18[16]) % 2 else "female"


def problem(text: str, *, today: date | None = None) -> str | None:
    """Why `text` is not a valid resident ID (None when it is). Reasons are for end users."""
    value = normalise(text)
    if not value:
        return _("The ID number is empty")
    if len(value) != 18:
        return _("The ID number must have 18 characters")
    if not ID_RE.match(value):
        return _("The ID number's first 17 characters must be digits, the last a digit or X")
    born = birth_date(value)
    if born is None:
        return _("The birth date in the ID number is not a valid date")
    if born < EARLIEST_BIRTH or born > (today or date.today()):  # noqa: DTZ011 - a calendar date
        return _("The birth date in the ID number is not plausible")
    if check_char(value[:17]) != value[17]:
        return _("The ID number's check character is wrong")
    return None


def is_valid(text: str, *, today: date | None = None) -> bool:
    return problem(text, today=today) is None


def mask(text: str) -> str:
    """`610102********1234`: area code and the last four characters stay visible."""
    value = normalise(text)
    if len(value) != 18:
        return MASK
    return value[:6] + MASK + value[14:]


# --- many IDs at once (numpy), for the synthetic generator -----------------------------------
#
# An ID is three fields (area, birth date, sequence) plus the check character, and the weighted
# sum is the sum of the fields' own weighted sums, so each field's digits and partial sum come
# from a table built once: building IDs is then a few gathers, no arithmetic per digit.

_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_FIRST_DAY = date(1900, 1, 1)
_LAST_DAY = date(2099, 12, 31)


def digit_sums(values: np.ndarray, width: int, weights: tuple[int, ...]):
    """ASCII digits (n, width) of `values` and their weighted sums with `weights`."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = values[:, None] // powers % 10
    return (digits + ord("0")).astype(np.uint8), (digits @ np.array(weights)).astype(np.int32)


@cache
def _area_table():
    return digit_sums(np.arange(1_000_000, dtype=np.int64), 6, WEIGHTS[0:6])


@cache
def _date_table():
    days = np.arange(_FIRST_DAY.toordinal(), _LAST_DAY.toordinal() + 1)
    dates = [date.fromordinal(int(d)) for d in days]
    ymd = np.array([d.year * 10_000 + d.month * 100 + d.day for d in dates], dtype=np.int64)
    return digit_sums(ymd, 8, WEIGHTS[6:14])


@cache
def _sequence_table():
    return digit_sums(np.arange(1000, dtype=np.int64), 3, WEIGHTS[14:17])


_EPOCH_OFFSET = (date(1970, 1, 1) - _FIRST_DAY).days


def build_id_matrix(area: np.ndarray, born: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """Valid IDs as an (n, 18) uint8 matrix of ASCII characters.

    `area` holds six-digit area codes, `born` birth dates (datetime64, or int days since
    1970-01-01) from 1900 to 2099, `sequence` numbers 0..999 (odd = male).
    `matrix.view("S18").ravel()` gives byte strings; the rows are contiguous, so the buffer
    can back an Arrow string array.
    """
    days = np.asarray(born)
    if days.dtype.kind == "M":
        days = days.astype("datetime64[D]").astype(np.int64)
    day_index = days.astype(np.int64) + _EPOCH_OFFSET
    area_digits, area_sums = _area_table()
    date_digits, date_sums = _date_table()
    sequence_digits, sequence_sums = _sequence_table()
    area = np.asarray(area, dtype=np.int64)
    sequence = np.asarray(sequence, dtype=np.int64)
    matrix = np.empty((len(day_index), 18), dtype=np.uint8)
    matrix[:, 0:6] = area_digits[area]
    matrix[:, 6:14] = date_digits[day_index]
    matrix[:, 14:17] = sequence_digits[sequence]
    total = area_sums[area] + date_sums[day_index] + sequence_sums[sequence]
    matrix[:, 17] = _CHECK_BYTES[total % 11]
    return matrix


def mask_matrix(matrix: np.ndarray) -> np.ndarray:
    """The masked form of an ID matrix from `build_id_matrix` (birth date hidden)."""
    masked = matrix.copy()
    masked[:, 6:14] = ord("*")
    return masked


def matrix_to_strings(matrix: np.ndarray) -> list[str]:
    return [row.decode("ascii") for row in matrix.view("S18").ravel()]
