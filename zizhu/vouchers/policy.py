"""Who may do what with a payment voucher (beyond zizhu.access's scope): the one place the
voucher pages and services ask.

支付凭证上传 belongs to the school: both of its roles (业务操作人员 and 业务审核人员) record,
edit and delete the school's own vouchers. Authorities only read (支付凭证查看).
"""

from zizhu.access import Action, can, is_school
from zizhu.units.models import Unit


def may_record(user, school: Unit) -> bool:
    """The school's own users (operator or reviewer) record, edit and delete its vouchers."""
    return is_school(user) and can(user, Action.VIEW) and user.unit_id == school.pk
