"""Writes of filing deadlines and locks: set a deadline, unlock a filing, lock the overdue ones.
Keyword-only, atomic, audited; `actor` as in `common`
(docs/adr/0006-filing-review-deadlines.md).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.access import Action, can
from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Deadline, Filing, FilingStatus
from zizhu.funds.selectors import deadline_of
from zizhu.funds.services.common import check_year, set_status
from zizhu.units.models import Unit


def _check_setter(actor: User | None, unit: Unit | None) -> None:
    """Deadlines are set, and filings unlocked, by an operator of the authority above (a
    filing of the top unit has none)."""
    if actor is None:
        return
    if (
        not can(actor, Action.FILE)
        or unit is None
        or actor.unit_id != unit.pk
        or not unit.is_authority
    ):
        raise PermissionDenied(_("Only a business operator of the authority above may do this"))


def _lock_filings(filings: QuerySet[Filing], now: datetime) -> list[int]:
    """Lock the submitted filings among `filings` that are not unlocked beyond `now`."""
    due = filings.filter(status=FilingStatus.SUBMITTED).exclude(unlocked_until__gt=now)
    ids = list(due.values_list("pk", flat=True))
    if ids:
        Filing.objects.filter(pk__in=ids).update(
            status=FilingStatus.LOCKED, version=F("version") + 1, updated_at=now
        )
    return ids


@transaction.atomic
def deadline_set(
    *, unit: Unit, year: int, project: AidProject, due_at: datetime, actor: User | None
) -> Deadline:
    """Set or move the deadline of `unit`'s direct children for one year and project.

    A deadline already passed locks the children's submitted filings at once; one moved into
    the future reopens (locked → submitted) the filings it had locked.
    """
    _check_setter(actor, unit)
    check_year(year)
    if not isinstance(due_at, datetime) or timezone.is_naive(due_at):
        raise ValidationError(_("Invalid deadline"))
    before = Deadline.objects.filter(unit=unit, year=year, project=project).first()
    deadline, _created = Deadline.objects.update_or_create(
        unit=unit, year=year, project=project, defaults={"due_at": due_at, "set_by": actor}
    )
    now = timezone.now()
    children = Filing.objects.filter(unit__parent=unit, year=year, project=project)
    if due_at > now:
        changed = list(children.filter(status=FilingStatus.LOCKED).values_list("pk", flat=True))
        children.filter(pk__in=changed).update(
            status=FilingStatus.SUBMITTED, version=F("version") + 1, updated_at=now
        )
    else:
        changed = _lock_filings(children, now)
    audit_record(
        action="funds.deadline_set",
        actor=actor,
        obj=deadline,
        detail={
            "unit": unit.code,
            "year": year,
            "project": project.code,
            "before": before.due_at.isoformat() if before else None,
            "due_at": due_at.isoformat(),
            "filings_relocked" if due_at <= now else "filings_reopened": changed,
        },
    )
    return deadline


@transaction.atomic
def filings_lock_overdue(*, now: datetime | None = None) -> int:
    """Lock every submitted filing whose deadline has passed and whose unlock (if any) has
    run out; the periodic task `funds.lock_overdue` runs this. Returns how many were locked."""
    now = now or timezone.now()
    overdue = Deadline.objects.filter(
        unit_id=OuterRef("unit__parent_id"),
        year=OuterRef("year"),
        project_id=OuterRef("project_id"),
        due_at__lte=now,
    )
    ids = _lock_filings(Filing.objects.filter(Exists(overdue)), now)
    if ids:
        audit_record(action="funds.filings_lock", detail={"count": len(ids), "filings": ids[:1000]})
    return len(ids)


@transaction.atomic
def filing_unlock(*, filing: Filing, until: datetime, reason: str, actor: User | None) -> Filing:
    """The operator of the authority that set the deadline reopens a child's filing until
    `until`: a locked filing returns to `submitted`, an unsubmitted one may be finished."""
    _check_setter(actor, filing.unit.parent)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValidationError(_("Give the reason for unlocking"))
    now = timezone.now()
    if not isinstance(until, datetime) or timezone.is_naive(until) or until <= now:
        raise ValidationError(_("The unlock must last until a moment after now"))
    deadline = deadline_of(filing)
    if deadline is None or deadline.due_at > now:
        raise ValidationError(_("The filing deadline has not passed yet: no unlock needed"))
    current = Filing.objects.select_for_update(of=("self",)).get(pk=filing.pk)
    status = FilingStatus.SUBMITTED if current.status == FilingStatus.LOCKED else current.status
    return set_status(
        filing,
        current,
        status,
        actor,
        "funds.filing_unlock",
        note={"reason": reason},
        unlocked_until=until,
    )
