"""Strict readers of query-string filters: a bad value is a 400 naming the parameter, never a
500 (ASCII digits only, bounded lengths, no control characters)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def _raw(request, name: str, max_length: int) -> str:
    value = request.query_params.get(name, "")
    if len(value) > max_length or any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationError({name: [_("This value is not valid.")]})
    return value.strip()


def text(request, name: str, max_length: int = 60) -> str:
    return _raw(request, name, max_length)


def integer(request, name: str, low: int, high: int) -> int | None:
    value = _raw(request, name, 12)
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        raise ValidationError(
            {
                name: [
                    _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
                ]
            }
        )
    return int(value)


def choice(request, name: str, choices) -> str:
    value = _raw(request, name, 40)
    if value and value not in choices:
        raise ValidationError(
            {name: [_("“%(value)s” is not one of the allowed values.") % {"value": value}]}
        )
    return value


def month(request, name: str = "month") -> str:
    from zizhu.lib.periods import Month

    value = _raw(request, name, 7)
    if not value:
        return ""
    try:
        return str(Month.parse(value))
    except (ValueError, TypeError):
        raise ValidationError({name: [_("Enter a month as YYYY-MM.")]}) from None
