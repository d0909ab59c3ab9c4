"""School years, terms and months (docs/domain.md, periods).

A school year starts on 1 September: school year 2022 = 2022-09 … 2023-08. Its autumn term is
months 9–12 and 1, its spring term months 2–8.
"""

import re
from dataclasses import dataclass
from datetime import date

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
AUTUMN = "autumn"
SPRING = "spring"
TERMS = (AUTUMN, SPRING)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        match = MONTH_RE.match(text.strip())
        if not match:
            raise ValueError(f"month {text!r} is not YYYY-MM")
        return cls(int(match.group(1)), int(match.group(2)))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def school_year(self) -> int:
        return self.year if self.month >= 9 else self.year - 1

    @property
    def term(self) -> str:
        return AUTUMN if self.month >= 9 or self.month == 1 else SPRING


def term_months(school_year: int, term: str) -> list[Month]:
    if term == AUTUMN:
        return [Month(school_year, m) for m in (9, 10, 11, 12)] + [Month(school_year + 1, 1)]
    return [Month(school_year + 1, m) for m in range(2, 9)]
