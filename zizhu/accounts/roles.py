from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    CENTER_LEADER = "center_leader", _("Aid centre leader")
    SCHOOL_OPERATOR = "school_operator", _("School operator")
    SCHOOL_REVIEWER = "school_reviewer", _("School reviewer")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")


AUTHORITY_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.CENTER_LEADER})
SCHOOL_ROLES = frozenset({Role.SCHOOL_OPERATOR, Role.SCHOOL_REVIEWER})
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
BUSINESS_ROLES = AUTHORITY_ROLES | SCHOOL_ROLES
