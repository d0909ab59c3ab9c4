"""What the funds services share: who may act for a unit, which year and project a unit may
file, the insert of a filing with its balance rows, and the status change of a locked filing.
The other modules of this package build on these.

`actor` is the user acting (None only for system code such as the demo generator); a user
acts for their own unit only.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zizhu.access import Action, can
from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.selectors import not_for_unit, project_is_for
from zizhu.funds import policy
from zizhu.funds.ledger import balances_create
from zizhu.funds.models import Filing
from zizhu.units.models import Unit

INVALID_YEAR = gettext_lazy("Invalid year of use: %(year)s")


def check_actor(actor: User | None, unit: Unit) -> None:
    """Refuse (PermissionDenied) unless `actor` is a business operator of `unit` itself;
    `None` is the system (commands, the demo)."""
    if actor is None:
        return
    if not can(actor, Action.FILE) or actor.unit_id != unit.pk:
        raise PermissionDenied(_("Only a business operator of the unit itself may do this"))


def check_project(unit: Unit, project: AidProject) -> None:
    """Refuse a project `unit` may not file: school and social aid on an authority, a
    project of another stage or province."""
    if unit.is_authority and project.category in policy.SCHOOL_ONLY_CATEGORIES:
        raise ValidationError(_("School aid and social aid are filed by schools only"))
    if not project_is_for(project, unit):
        raise ValidationError(not_for_unit(project, unit))


def check_year(year: int) -> None:
    """Refuse a year outside 2000–2100."""
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(INVALID_YEAR % {"year": year})


def filing_insert(
    *,
    unit: Unit,
    year: int,
    project: AidProject,
    actor: User | None,
    fields: dict[str, Any],
    audit: bool = True,
) -> Filing:
    """Create a filing and its balance rows; audited unless `audit` is false (the caller then
    records `filing_created` itself, as its last step: docs/adr/0021)."""
    try:
        with transaction.atomic():
            filing = Filing.objects.create(unit=unit, year=year, project=project, **fields)
    except IntegrityError:
        raise ValidationError(
            _("%(unit)s already has a funds filing of %(project)s for %(year)s")
            % {"unit": unit.name, "year": year, "project": project.name}
        ) from None
    balances_create(filing, own=filing.own_funds)
    if audit:
        filing_created(filing, actor)
    return filing


def filing_created(filing: Filing, actor: User | None) -> None:
    """The audit record of a filing's creation."""
    audit_record(
        action="funds.filing_create",
        actor=actor,
        obj=filing,
        detail={
            "unit": filing.unit.code,
            "year": filing.year,
            "project": filing.project.code,
            "own_funds": str(filing.own_funds),
        },
    )


def set_status(
    filing: Filing,
    current: Filing,
    status: str,
    actor: User | None,
    action: str,
    note: dict[str, object] | None = None,
    **fields: object,
) -> Filing:
    """Move `current` (locked for update) to `status` with `fields`, bump the version, audit."""
    Filing.objects.filter(pk=current.pk).update(
        status=status, **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    detail = {"from": current.status, "to": status, **(note or {})}
    detail.update({name: str(value) for name, value in fields.items()})
    filing.refresh_from_db()
    audit_record(action=action, actor=actor, obj=filing, detail=detail)
    return filing
