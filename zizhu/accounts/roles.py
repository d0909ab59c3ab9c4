from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("业务操作人员")
    SUPERVISOR = "supervisor", _("业务主管领导")
    CENTER_LEADER = "center_leader", _("资助中心领导")
    SCHOOL_OPERATOR = "school_operator", _("学校业务操作人员")
    SCHOOL_REVIEWER = "school_reviewer", _("学校业务审核人员")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")


AUTHORITY_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.CENTER_LEADER})
SCHOOL_ROLES = frozenset({Role.SCHOOL_OPERATOR, Role.SCHOOL_REVIEWER})
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
BUSINESS_ROLES = AUTHORITY_ROLES | SCHOOL_ROLES
