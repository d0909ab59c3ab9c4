"""Who may do what with payment vouchers (支付凭证): a school's own users see its vouchers on
支付凭证上传 and its operator records, edits and deletes them; authority users read the
vouchers of the schools in their scope on 支付凭证查看. The pages, the menu, the services'
guards and the API ask here."""

from zizhu.access import Action, can, is_authority, is_school, is_school_operator
from zizhu.units.models import Unit


def sees_own_vouchers(user) -> bool:
    """A school's users open 支付凭证上传 (their own school's vouchers)."""
    return can(user, Action.VIEW) and is_school(user)


def may_record(user, school: Unit) -> bool:
    """The school's own operator records, edits and deletes its vouchers."""
    return can(user, Action.FILE) and is_school_operator(user) and user.unit_id == school.pk


def sees_vouchers_below(user) -> bool:
    """Authority users open 支付凭证查看 (the vouchers of the schools in their scope)."""
    return can(user, Action.VIEW) and is_authority(user)
