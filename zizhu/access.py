"""Access control: the only way to reach business data.

A user's scope is the subtree of their unit. `units_for` gives the units a user may act on for
an action; `scoped` narrows any queryset by the unit it belongs to; the `get_*_for_user` getters
answer 404 both for a missing object and for one outside the scope, so a URL never tells which.
A role that lacks an action gets 403 (PermissionDenied), audited through the one `deny`.

This module is the only one that knows the roles. What a role may do with a particular object
(submit this filing, explain this finding …) is decided by the small policy module of each
domain (`zizhu/<app>/policy.py`), built on the predicates here; the menu, templates, views,
services and the API all ask those, and nothing else compares `user.role`
(tests/test_layering.py).
"""

from enum import StrEnum
from typing import Any, NoReturn, TypeGuard, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from zizhu.accounts.models import User
from zizhu.accounts.roles import ADMIN_ROLES, AUTHORITY_ROLES, SCHOOL_ROLES, Role
from zizhu.audit.models import Result
from zizhu.audit.services import audit_record
from zizhu.lib.compiled import STAND_IN_IDS, STAND_IN_PATH
from zizhu.units.models import Unit


class Action(StrEnum):
    VIEW = "view"  # read business data in scope (units, filings, lists, findings …)
    FILE = "file"  # write business data: filings, allocations, lists, explanations
    REVIEW = "review"  # school reviewer: approve / return what the operator submitted
    EXPORT = "export"
    MANAGE_UNITS = "manage_units"
    MANAGE_USERS = "manage_users"
    MANAGE_REGISTERS = "manage_registers"
    SECURITY = "security"
    READ_AUDIT = "read_audit"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OPERATOR: frozenset({Action.VIEW, Action.FILE, Action.EXPORT}),
    Role.SUPERVISOR: frozenset({Action.VIEW, Action.EXPORT}),
    Role.CENTER_LEADER: frozenset({Action.VIEW, Action.EXPORT}),
    Role.SCHOOL_OPERATOR: frozenset({Action.VIEW, Action.FILE, Action.EXPORT}),
    Role.SCHOOL_REVIEWER: frozenset({Action.VIEW, Action.REVIEW, Action.EXPORT}),
    Role.SYSADMIN: frozenset({Action.MANAGE_UNITS, Action.MANAGE_USERS, Action.MANAGE_REGISTERS}),
    Role.SECADMIN: frozenset({Action.SECURITY}),
    Role.AUDITOR: frozenset({Action.READ_AUDIT}),
}


M = TypeVar("M", bound=Model)


def can(user: object, action: Action) -> TypeGuard[User]:
    """Whether `user` (a signed-in user with a unit) has a role that performs `action`."""
    if not isinstance(user, User) or not user.is_authenticated or user.unit_id is None:
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def _scope(user: User) -> str:
    """The path of the user's unit: the root of its scope (`can` has checked it has one)."""
    return cast(Unit, user.unit).path


def stand_in_user(user: User) -> User:
    """A user of `user`'s role at a unit no row has (zizhu.lib.compiled's stand-in id and
    path): a compiled query's scope is built for it, and its path marks where the real
    user's scope goes."""
    return User(role=user.role, unit=Unit(pk=STAND_IN_IDS[0], path=STAND_IN_PATH))


def in_scope(user: User, unit: Unit) -> bool:
    """Whether `unit` lies in the user's subtree."""
    return unit.path.startswith(_scope(user))


def has_role(user: object, *roles: Role) -> TypeGuard[User]:
    return isinstance(user, User) and user.is_authenticated and user.role in roles


def is_authority(user: object) -> TypeGuard[User]:
    """An education authority's user: operator, supervisor or centre leader."""
    return has_role(user, *AUTHORITY_ROLES)


def is_school(user: object) -> TypeGuard[User]:
    """A school's user: its operator or its reviewer."""
    return has_role(user, *SCHOOL_ROLES)


def is_admin(user: object) -> TypeGuard[User]:
    """One of the three administrators (system, security, audit): no business data."""
    return has_role(user, *ADMIN_ROLES)


def is_authority_operator(user: object) -> TypeGuard[User]:
    """An authority's operator: files, allocates, sets deadlines, reviews explanations."""
    return has_role(user, Role.OPERATOR)


def is_overseer(user: object) -> TypeGuard[User]:
    """A supervisor or centre leader: reads and exports, acts on nothing."""
    return has_role(user, Role.SUPERVISOR, Role.CENTER_LEADER)


def is_school_operator(user: object) -> TypeGuard[User]:
    return has_role(user, Role.SCHOOL_OPERATOR)


def is_school_reviewer(user: object) -> TypeGuard[User]:
    return has_role(user, Role.SCHOOL_REVIEWER)


def is_sysadmin(user: object) -> TypeGuard[User]:
    return has_role(user, Role.SYSADMIN)


def is_secadmin(user: object) -> TypeGuard[User]:
    return has_role(user, Role.SECADMIN)


def is_auditor(user: object) -> TypeGuard[User]:
    return has_role(user, Role.AUDITOR)


def deny(request: HttpRequest, reason: str, **detail: object) -> NoReturn:
    """403, audited with `reason`: the one way a page or API refuses a user."""
    audit_record(
        request=request,
        action="access.denied",
        result=Result.DENIED,
        detail={"reason": reason, **detail, "path": request.path},
    )
    raise PermissionDenied


def require(request: HttpRequest, action: Action) -> None:
    """403 (audited) unless the user's role may perform `action` at all."""
    if not can(request.user, action):
        deny(request, "role", need=str(action))


def require_that(request: HttpRequest, allowed: bool, reason: str) -> None:
    """403 (audited with `reason`) unless a policy's answer `allowed` holds."""
    if not allowed:
        deny(request, reason)


def units_for(user: object, action: Action) -> QuerySet[Unit]:
    """Units in the user's scope for `action`: one indexed query on the path prefix."""
    if not can(user, action):
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=_scope(user))


def scope_filter(user: object, action: Action, unit_field: str = "unit") -> Q:
    """The condition of `scoped`, to combine with others (a row of the user's own, or in
    scope): rows whose `unit_field` lies in the user's scope; none without the right."""
    if not can(user, action):
        return Q(pk__in=[])
    return Q(**{f"{unit_field}__path__startswith": _scope(user)})


def scoped(
    queryset: QuerySet[M], user: object, action: Action, unit_field: str = "unit"
) -> QuerySet[M]:
    """Narrow `queryset` to rows whose `unit_field` lies in the user's scope."""
    if not can(user, action):
        return queryset.none()
    return queryset.filter(scope_filter(user, action, unit_field))


def scoped_by_path(
    queryset: QuerySet[M], user: object, action: Action, path_field: str
) -> QuerySet[M]:
    """Like `scoped`, for rows that carry a copy of their unit's path in `path_field`
    (per-authority report totals, which are read without joining the units)."""
    if not can(user, action):
        return queryset.none()
    return queryset.filter(**{f"{path_field}__startswith": _scope(user)})


def get_object_for_user(
    request: HttpRequest,
    queryset: QuerySet[M],
    action: Action,
    unit_field: str = "unit",
    **lookup: Any,
) -> M:
    """The object, or 404 when it is missing or outside the scope (the latter audited)."""
    require(request, action)
    obj = scoped(queryset, request.user, action, unit_field).filter(**lookup).first()
    if obj is None:
        if queryset.filter(**lookup).exists():
            audit_record(
                request=request,
                action="access.denied",
                result=Result.DENIED,
                detail={"reason": "out_of_scope", "path": request.path},
            )
        raise Http404
    return obj


def get_unit_for_user(request: HttpRequest, code: str, action: Action = Action.VIEW) -> Unit:
    require(request, action)
    # `require` has checked a signed-in user with a unit
    own = cast(Unit, cast(User, request.user).unit)
    if code == own.code:  # the root of the user's scope: no query (a report's first view)
        return own
    unit = units_for(request.user, action).filter(code=code).first()
    if unit is None:
        if Unit.objects.filter(code=code).exists():
            audit_record(
                request=request,
                action="access.denied",
                result=Result.DENIED,
                detail={"reason": "out_of_scope", "unit": code, "path": request.path},
            )
        raise Http404
    return unit
