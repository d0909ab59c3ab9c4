"""Strict readers of request parameters (query strings and form fields).

Python's `str.isdigit()` and `int()` accept far more than an address bar should: superscripts
(`²`), full-width and Arabic-Indic digits, `_` separators and numbers of any size, which then
fail in the database. These readers accept plain ASCII only, within bounds, and answer None
(or the default) for anything else, so a hostile value means "no filter", never an error.
"""

import re
from datetime import date

from django.utils.http import url_has_allowed_host_and_scheme

_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: re's [0-9] is not \d
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

YEAR_MIN, YEAR_MAX = 2000, 2100
TEXT_MAX = 200


def int_param(value, *, minimum: int = 0, maximum: int = 2**31 - 1, default=None):
    """A whole number written in ASCII digits within [minimum, maximum], else `default`."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value.strip()):
        return default
    number = int(value.strip())
    return number if minimum <= number <= maximum else default


def year_param(value, default=None):
    return int_param(value, minimum=YEAR_MIN, maximum=YEAR_MAX, default=default)


def date_param(value, default=None) -> date | None:
    """An ISO date (YYYY-MM-DD) that exists, else `default`."""
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return default
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return default


def choice_param(value, choices, default=""):
    """`value` if it is one of `choices`, else `default`."""
    return value if isinstance(value, str) and value in choices else default


def text_param(value, *, max_length: int = TEXT_MAX) -> str:
    """Free text for a search or a code filter: trimmed, control characters and unpaired
    surrogates removed, at most `max_length` characters."""
    if not isinstance(value, str):
        return ""
    cleaned = "".join(
        ch for ch in value[: max_length * 2] if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF
    )
    return cleaned.strip()[:max_length]


def local_url(request, value) -> str | None:
    """`value` if it is an address on this site (a path starting with one "/"), else None.

    Hand the result to HttpResponseRedirect, not to `redirect()`: `redirect("abc")` would try
    "abc" as the name of a URL pattern and fail."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or not value.isprintable():
        return None
    ok = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if ok else None
