"""Who may change the catalogue from the pages: a province's operator manages that province's
own local-aid projects (the rest of the catalogue is the system administrator's, in the admin
site). The roles themselves are known only to `zizhu.access`."""

from typing import TypeGuard

from zizhu.access import is_authority_operator
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject, Category
from zizhu.units.models import Level


def may_manage_local_projects(user: object) -> TypeGuard[User]:
    return (
        is_authority_operator(user) and user.unit is not None and user.unit.level == Level.PROVINCE
    )


def may_change(user: object, project: AidProject) -> bool:
    return (
        may_manage_local_projects(user)
        and project.category == Category.LOCAL
        and project.province_id == user.unit_id
    )
