"""Writes of a province's own local-aid projects: create, edit, retire, restore. Keyword-only,
atomic, audited; each re-checks the policy the page asked (`actor` None is system code)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zizhu.audit.services import audit_record
from zizhu.catalogue import policy
from zizhu.catalogue.models import PROJECT_STAGES, AidProject, Category
from zizhu.units.models import Level, Unit

EDITABLE = ("name", "standard_amount", "source", "note")


def _check(actor, project: AidProject | None = None, province: Unit | None = None) -> None:
    if actor is None:
        return
    allowed = (
        policy.may_change(actor, project)
        if project is not None
        else policy.may_manage_local_projects(actor) and actor.unit_id == province.pk
    )
    if not allowed:
        raise PermissionDenied(
            _("Only the province's own operators may maintain its local aid projects")
        )


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not a local project field: {sorted(unknown)}")
    clean = dict(fields)
    if "name" in clean:
        clean["name"] = (clean["name"] or "").strip()
        if not clean["name"]:
            raise ValidationError(_("Enter the project's name"))
    amount = clean.get("standard_amount")
    if amount is not None and (not isinstance(amount, Decimal) or amount < 0):
        raise ValidationError(_("The aid standard cannot be negative"))
    return clean


def _next_code(province: Unit) -> str:
    prefix = f"local_{province.code}_"
    taken = set(AidProject.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    n = len(taken) + 1
    while f"{prefix}{n:03d}" in taken:
        n += 1
    return f"{prefix}{n:03d}"


@transaction.atomic
def local_project_create(*, province: Unit, stage: str, actor, **fields) -> AidProject:
    """A local-aid project of `province`'s own, seen by the units of that province only."""
    if province.level != Level.PROVINCE:
        raise ValidationError(_("Local aid projects belong to a province"))
    _check(actor, province=province)
    if stage not in dict(PROJECT_STAGES):
        raise ValidationError(_("Not a valid stage: %(stage)s") % {"stage": stage})
    clean = _clean(fields)
    if AidProject.objects.filter(
        category=Category.LOCAL, province=province, stage=stage, name=clean["name"]
    ).exists():
        raise ValidationError(
            _("The province already has a project “%(name)s” of this stage")
            % {"name": clean["name"]}
        )
    project = AidProject.objects.create(
        code=_next_code(province),
        category=Category.LOCAL,
        province=province,
        stage=stage,
        **clean,
    )
    audit_record(
        action="catalogue.local_project_create",
        actor=actor,
        obj=project,
        detail={"code": project.code, "name": project.name, "stage": stage},
    )
    return project


@transaction.atomic
def local_project_update(*, project: AidProject, actor, **fields) -> AidProject:
    """Rename or restate a project; its stage and category stay (filings depend on them)."""
    _check(actor, project)
    clean = _clean(fields)
    before = {name: str(getattr(project, name)) for name in clean}
    for name, value in clean.items():
        setattr(project, name, value)
    project.save(update_fields=list(clean))
    changed = {n: [before[n], str(v)] for n, v in clean.items() if before[n] != str(v)}
    audit_record(
        action="catalogue.local_project_update",
        actor=actor,
        obj=project,
        detail={"code": project.code, "changes": changed},
    )
    return project


@transaction.atomic
def local_project_set_active(*, project: AidProject, active: bool, actor) -> AidProject:
    """Retire a project (no new filings; existing ones stay) or bring it back."""
    _check(actor, project)
    project.is_active = active
    project.save(update_fields=["is_active"])
    audit_record(
        action="catalogue.local_project_restore" if active else "catalogue.local_project_retire",
        actor=actor,
        obj=project,
        detail={"code": project.code, "name": project.name},
    )
    return project
