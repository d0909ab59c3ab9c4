"""A page's address for many rows: the URL pattern reversed once, each row's number put in
(reversing for every row of a long table costs more than the row)."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.html import conditional_escape

_STAND_IN = 987654321  # a number no row has, replaced by each row's


def address_of(name: str) -> Callable[[int], str]:
    """`pk -> reverse(name, args=[pk])`, escaped for HTML."""
    before, after = reverse(name, args=[_STAND_IN]).split(str(_STAND_IN))
    return lambda pk: conditional_escape(f"{before}{pk}{after}")
