"""How the product writes numbers for people: amounts as 345,726,800.00 元, percentages as
87.5%, counts with thousands separators. Templates use them as the filters `yuan`, `percent`
and `cell` (zizhu.web.templatetags.zizhu_format, loaded in every template)."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _ymd(value) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def day(value) -> str:
    """`{{ value|date:"Y-m-d" }}` of a date or a date-time (in the current time zone)."""
    return _ymd(template_localtime(value))


def minute(value) -> str:
    """`{{ value|date:"Y-m-d H:i" }}` of a date-time (in the current time zone, found once)."""
    value = template_localtime(value)
    return f"{_ymd(value)} {value.hour:02d}:{value.minute:02d}"


def figure(value) -> str:
    """An amount without its unit, as in `yuan`: 1,234,567.00 (for messages that name the
    unit themselves, "%(amount)s yuan")."""
    number = _decimal(value)
    return EMPTY if number is None else f"{number:,.2f}"


def yuan(value) -> str:
    """An amount of money: thousands separators, two decimals and the unit."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return _("%(amount)s yuan") % {"amount": f"{number:,.2f}"}


def percent(value, places: int = 1) -> str:
    """A percentage given in percent points (87.5 → 87.5%)."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    return f"{number:,.{int(places)}f}%"


def seconds(value) -> str:
    """A duration (timedelta) in seconds: 1.9 秒; none as —."""
    if value is None or value == "":
        return EMPTY
    return _("%(seconds)s s") % {"seconds": f"{value.total_seconds():,.1f}"}


def cell(value, is_percent: bool = False):
    """A report cell: a Decimal is an amount (or a percentage when the column says so), an int
    a count, dates as YYYY-MM-DD; anything else is shown as it is."""
    if value is None:
        return EMPTY
    if isinstance(value, Decimal):
        return percent(value) if is_percent else yuan(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, date):  # a date-time too
        return minute(value) if isinstance(value, datetime) else day(value)
    return value


def cell_formatter() -> Callable[..., object]:
    """`cell` for the many cells of one page: the amount's words translated once, a Decimal
    written straight away (`cell` first copies it through its text); every other value as
    `cell` writes it. Made per request: the language is the request's."""
    amount = _("%(amount)s yuan")

    def shown(value, is_percent: bool = False):
        if type(value) is Decimal:
            return f"{value:,.1f}%" if is_percent else amount % {"amount": f"{value:,.2f}"}
        return cell(value, is_percent)

    return shown


class Percent(str):
    """A report column's header that declares its cells percentages (or a difference of
    two, in points): they read 87.5%, never as amounts. The words are the header's own."""


def is_percent_header(header) -> bool:
    return isinstance(header, Percent)
