"""Unit codes: GB/T 2260 division codes and 10-digit school codes (学校标识码)."""

import re

CENTRAL_CODE = "000000"
DIVISION_RE = re.compile(r"^\d{6}$")
SCHOOL_RE = re.compile(r"^\d{10}$")

# Category digits of a school code → the stage a school of that category belongs to.
SCHOOL_CATEGORIES: dict[str, str] = {
    "11": "preschool",
    "21": "compulsory",
    "31": "compulsory",
    "34": "senior_high",
    "36": "vocational",
    "41": "higher",
    "51": "special",
}
# The category used when a stage's schools are generated (compulsory → junior high uses 31).
STAGE_CATEGORIES: dict[str, tuple[str, ...]] = {}
for _category, _stage in SCHOOL_CATEGORIES.items():
    STAGE_CATEGORIES.setdefault(_stage, ())
    STAGE_CATEGORIES[_stage] += (_category,)


def school_code_problem(code: str, *, stage: str | None = None, province: str | None = None):
    """Why `code` is not a valid school code (None when it is).

    `province` is the six-digit code of the school's province, when it has one; the school
    code's digits 3–4 must match its first two digits.
    """
    if not SCHOOL_RE.match(code):
        return "a school code has 10 digits"
    category = code[:2]
    if category not in SCHOOL_CATEGORIES:
        return f"unknown school category {category}"
    if stage and SCHOOL_CATEGORIES[category] != stage:
        return f"category {category} is not a {stage} school"
    if province and code[2:4] != province[:2]:
        return f"province digits {code[2:4]} do not match the province {province}"
    return None


def division_code_problem(code: str):
    if not DIVISION_RE.match(code):
        return "a division code has 6 digits"
    return None
