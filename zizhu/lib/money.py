"""Amounts of money as the ledger keeps them: yuan as Decimal with two places."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # the columns are Decimal(14, 2)
NOT_AN_AMOUNT = gettext_lazy("%(label)s is not a valid amount: %(value)s")


def money(value: object, label: str, *, positive: bool = False) -> Decimal:
    """`value` as yuan with two places; floats, more places, negatives are refused."""
    if isinstance(value, float | bool):
        raise ValidationError(_("%(label)s must be an exact decimal amount") % {"label": label})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(NOT_AN_AMOUNT % {"label": label, "value": value}) from None
    if not amount.is_finite():
        raise ValidationError(NOT_AN_AMOUNT % {"label": label, "value": value})
    if amount != amount.quantize(CENT):
        raise ValidationError(
            _("%(label)s has at most two decimal places: %(value)s")
            % {"label": label, "value": value}
        )
    if positive and amount <= 0:
        raise ValidationError(_("%(label)s must be greater than zero") % {"label": label})
    if amount < 0:
        raise ValidationError(_("%(label)s cannot be negative") % {"label": label})
    if amount >= MAX_AMOUNT:
        raise ValidationError(_("%(label)s is out of the allowed range") % {"label": label})
    return amount.quantize(CENT)
