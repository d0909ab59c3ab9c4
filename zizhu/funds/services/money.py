"""Writes moving money between filings: allocations (下拨) and confirmed receipts.
Keyword-only, atomic, audited; `actor` as in `common`.

Balances change only under the row locks of `zizhu.funds.ledger` (docs/adr/0005-funds-ledger.md).
"""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.funds.ledger import balances_lock, balances_save
from zizhu.funds.models import AWAITING_RECEIPT, ZERO, Allocation, Filing, Receipt, SourceLevel
from zizhu.funds.policy import ALLOCATED_CATEGORIES
from zizhu.funds.services.common import (
    check_actor,
    check_project,
    filing_created,
    filing_insert,
)
from zizhu.lib.formats import figure
from zizhu.lib.money import money
from zizhu.lib.onetime import insert_once, used
from zizhu.units.models import Unit

FORM_USED = gettext_lazy("This form was already submitted; reload the page and fill it in again")
ARRIVAL_DATE_MISSING = gettext_lazy("Give the arrival date of the funds")
# the rows a money form writes once (lib.onetime, which is untyped: they are typed where bound)
Keyed = TypeVar("Keyed", Allocation, Receipt)


def level_name(level: str) -> str:
    """The source level's funds as the forms name them (中央资金 …)."""
    return str(SourceLevel(level).label)


def _check_target(source: Filing, target_unit: Unit) -> None:
    if source.project.category not in ALLOCATED_CATEGORIES:
        raise ValidationError(_("Only the funds of national and local aid can be allocated"))
    if target_unit.parent_id != source.unit_id or not target_unit.is_active:
        raise ValidationError(
            _("%(target)s is not a subordinate unit or direct school of %(source)s")
            % {"target": target_unit.name, "source": source.unit.name}
        )
    check_project(target_unit, source.project)


def _clean_amounts(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    if not amounts:
        raise ValidationError(_("Give the amounts to allocate"))
    clean = {}
    for level, value in amounts.items():
        if level not in SourceLevel.values:
            raise ValueError(f"not a source level: {level}")
        clean[str(level)] = money(value, level_name(level), positive=True)
    return clean


def _child_filing(source: Filing, target_unit: Unit, actor: User | None) -> tuple[Filing, bool]:
    """The child's filing of the same year and project, and whether it was created now (its
    creation is audited by the caller, last: the audit chain's head is taken after the row
    locks, docs/adr/0021)."""
    existing = Filing.objects.filter(
        unit=target_unit, year=source.year, project=source.project
    ).first()
    if existing is not None:
        return existing, False
    try:
        child = filing_insert(
            unit=target_unit,
            year=source.year,
            project=source.project,
            actor=actor,
            fields={},
            audit=False,
        )
    except ValidationError:  # created meanwhile by a concurrent allocation
        return Filing.objects.get(unit=target_unit, year=source.year, project=source.project), False
    return child, True


@transaction.atomic
def allocation_create(
    *,
    source: Filing,
    target_unit: Unit,
    amounts: Mapping[str, Decimal],
    actor: User | None,
    key: UUID | None = None,
) -> Allocation:
    """Move money from `source` to the same year's and project's filing of a direct child.

    `amounts` maps source levels to positive amounts. Under the ledger's row locks each
    level's allocated money must stay within what the source received plus, for its own
    level, its own funds; otherwise nothing moves. The child's filing is created if missing.
    `key` is the form's one-time key: a second call with it returns the first allocation and
    moves nothing (docs/adr/0009).
    """
    check_actor(actor, source.unit)
    clean = _clean_amounts(amounts)
    _check_target(source, target_unit)
    target, created_target = _child_filing(source, target_unit, actor)
    balances = balances_lock([source, target])
    done: Allocation | None = used(Allocation, key)
    if done is not None:
        return _replayed(done, source)
    allocation: Allocation
    allocation, created = insert_once(
        Allocation, key, from_filing=source, to_filing=target, created_by=actor, **clean
    )
    if not created:
        return _replayed(allocation, source)
    short = []
    for level, amount in clean.items():
        out = balances.of(source, level)
        if out.allocated_out + amount > out.received + out.own:
            short.append(
                _(
                    "Not enough %(level)s: %(available)s yuan can be allocated, "
                    "%(amount)s yuan asked"
                )
                % {
                    "level": level_name(level),
                    "available": figure(out.available),
                    "amount": figure(amount),
                }
            )
        out.allocated_out += amount
        balances.of(target, level).received += amount
    if short:
        raise ValidationError(short)
    balances_save(balances.values())
    if created_target:
        filing_created(target, actor)
    audit_record(
        action="funds.allocation_create",
        actor=actor,
        obj=allocation,
        detail={
            "from": source.unit.code,
            "to": target_unit.code,
            "year": source.year,
            "project": source.project.code,
            "amounts": {level: str(amount) for level, amount in clean.items()},
        },
    )
    return allocation


def _replayed(row: Keyed, filing: Filing) -> Keyed:
    """The row an earlier POST of the same form wrote; a key of another filing's form is
    refused rather than answered with someone else's row."""
    owner = getattr(row, "from_filing_id", None) or getattr(row, "filing_id", None)
    if owner != filing.pk:
        raise ValidationError(str(FORM_USED))
    return row


def check_arrival_date(arrival_date: date | None, allocations: Iterable[Allocation]) -> None:
    """An arrival date is a date, not in the future, not before any allocation it covers."""
    if not isinstance(arrival_date, date):
        raise ValidationError(str(ARRIVAL_DATE_MISSING))
    if arrival_date > timezone.localdate():
        raise ValidationError(_("The arrival date of the funds cannot be later than today"))
    made = [timezone.localtime(a.created_at).date() for a in allocations if a.created_at]
    if made and arrival_date < max(made):
        raise ValidationError(
            _("The arrival date of the funds cannot be before the allocation date %(date)s")
            % {"date": max(made).isoformat()}
        )


@transaction.atomic
def receipt_confirm(
    *, filing: Filing, arrival_date: date, actor: User | None, key: UUID | None = None
) -> Receipt:
    """Confirm receipt (确认收到资金) of every incoming allocation awaiting it. The arrival
    date may lie neither in the future nor before the allocations it covers. `key` as in
    `allocation_create`."""
    check_actor(actor, filing.unit)
    if not isinstance(arrival_date, date):
        raise ValidationError(str(ARRIVAL_DATE_MISSING))
    pending = list(
        Allocation.objects.select_for_update(of=("self",))
        .filter(AWAITING_RECEIPT, to_filing=filing)
        .order_by("pk")
    )
    done: Receipt | None = used(Receipt, key)
    if done is not None:
        return _replayed(done, filing)
    if not pending:
        raise ValidationError(_("No allocated funds await confirmation of receipt"))
    check_arrival_date(arrival_date, pending)
    receipt: Receipt
    receipt, created = insert_once(
        Receipt, key, filing=filing, arrival_date=arrival_date, confirmed_by=actor
    )
    if not created:
        return _replayed(receipt, filing)
    Allocation.objects.filter(pk__in=[a.pk for a in pending]).update(receipt=receipt)
    audit_record(
        action="funds.receipt_confirm",
        actor=actor,
        obj=receipt,
        detail={
            "filing": filing.pk,
            "arrival_date": arrival_date.isoformat(),
            "allocations": [a.pk for a in pending],
            "amounts": {
                level: str(sum((a.amount(level) for a in pending), ZERO))
                for level in SourceLevel.values
            },
        },
    )
    return receipt
