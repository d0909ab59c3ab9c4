"""Mainland mobile numbers (docs/domain.md, identifiers): 11 digits starting 13–19, compared after
normalising."""

import re

from zizhu.lib.i18n import gettext as _

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # [0-9], not \d: \d matches full-width digits
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise(text: str) -> str:
    """Drop spaces, dashes and brackets and a +86 / 0086 / 86 country prefix."""
    value = _SEPARATORS.sub("", text or "")
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    return value


def problem(text: str) -> str | None:
    """Why `text` is not a mainland mobile number (None when it is). Reasons are for end users."""
    value = normalise(text)
    if not value:
        return _("The phone number is empty")
    if not value.isdigit():
        return _("The phone number may contain only digits")
    if len(value) != 11:
        return _("The phone number must be an 11-digit mobile number")
    if not MOBILE_RE.match(value):
        return _("The phone number is not a valid mobile number (it starts with 13–19)")
    return None


def is_valid(text: str) -> bool:
    return problem(text) is None


def mask(text: str) -> str:
    """`138****5678`: the first three and last four digits stay visible."""
    value = normalise(text)
    if len(value) != 11:
        return "*" * 11
    return value[:3] + "****" + value[7:]
