"""Corrections of money: the reversal (冲销) of an allocation by a counter-entry, the request
for one and the receiver's decision, and the correction of a receipt's arrival date.
Keyword-only, atomic, audited; `key` is the form's one-time key (docs/adr/0009).

The rules are docs/adr/0010-reversals-and-corrections.md: before the receiver confirmed the
money the sender reverses directly; afterwards only with the receiver's agreement. Balances
move back through the ledger's row locks; nothing is deleted.
"""

from datetime import date
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.funds import policy
from zizhu.funds.ledger import balances_lock, balances_save
from zizhu.funds.models import (
    Allocation,
    Receipt,
    ReceiptCorrection,
    ReversalRequest,
    ReversalStatus,
    SourceLevel,
)
from zizhu.funds.services.money import FORM_USED, check_arrival_date, level_name
from zizhu.lib.formats import figure
from zizhu.lib.onetime import insert_once, used

REASON_MAX = 500


def _reason(reason: str, missing: str) -> str:
    """The reason given, or ValidationError(`missing`) when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(missing)
    return reason[:REASON_MAX]


def _locked(allocation: Allocation) -> Allocation:
    return (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("from_filing__unit", "to_filing__unit")
        .get(pk=allocation.pk)
    )


def _check_reversible(current: Allocation) -> None:
    if current.reverses_id is not None:
        raise ValidationError(_("A reversal entry cannot itself be reversed"))
    if hasattr(current, "reversal"):
        raise ValidationError(_("This allocation has already been reversed"))


def _write_counter_entry(
    current: Allocation, *, reason: str, actor: User | None, key: UUID | None
) -> Allocation:
    """The counter-entry of `current` (locked) and the balances moved back, under the
    ledger's row locks; refused when the receiver has allocated the money on."""
    source, target = current.from_filing, current.to_filing
    balances = balances_lock([source, target])
    counter: Allocation  # lib.onetime is untyped: the row is typed where bound
    counter, created = insert_once(
        Allocation,
        key,
        from_filing=source,
        to_filing=target,
        reverses=current,
        reason=reason,
        receipt_id=current.receipt_id,
        created_by=actor,
        **{level: -current.amount(level) for level in SourceLevel.values},
    )
    if not created:
        return counter
    short = []
    for level in SourceLevel.values:
        amount = current.amount(level)
        if not amount:
            continue
        balances.of(source, level).allocated_out -= amount
        into = balances.of(target, level)
        into.received -= amount
        if into.allocated_out > into.received + into.own:
            short.append(
                _(
                    "%(unit)s has allocated the %(level)s on; its allocations must be "
                    "reversed first: %(available)s yuan would be available after the reversal"
                )
                % {
                    "unit": target.unit.name,
                    "level": level_name(level),
                    "available": figure(into.available),
                }
            )
    if short:
        raise ValidationError(short)
    balances_save(balances.values())
    audit_record(
        action="funds.allocation_reverse",
        actor=actor,
        obj=counter,
        detail={
            "reverses": current.pk,
            "from": source.unit.code,
            "to": target.unit.code,
            "year": source.year,
            "project": source.project_id,
            "amounts": {level: str(current.amount(level)) for level in SourceLevel.values},
            "confirmed": current.receipt_id is not None,
            "reason": reason,
        },
    )
    return counter


@transaction.atomic
def allocation_reverse(
    *, allocation: Allocation, reason: str, actor: User | None, key: UUID | None = None
) -> Allocation:
    """The sender reverses an allocation the receiver has not confirmed yet: a counter-entry
    with the negated amounts; returns it. Once confirmed, use `reversal_request`."""
    if actor is not None and not policy.may_reverse(actor, allocation):
        raise PermissionDenied(_("Only a business operator of the allocating unit may reverse"))
    reason = _reason(reason, _("Give the reason for the reversal"))
    current = _locked(allocation)
    done: Allocation | None = used(Allocation, key)
    if done is not None:
        if done.reverses_id != current.pk:
            raise ValidationError(str(FORM_USED))
        return done
    _check_reversible(current)
    if current.receipt_id is not None:
        raise ValidationError(
            _(
                "The receiver has confirmed receipt: a reversal needs their agreement. "
                "Request a reversal"
            )
        )
    return _write_counter_entry(current, reason=reason, actor=actor, key=key)


@transaction.atomic
def reversal_request(
    *, allocation: Allocation, reason: str, actor: User | None, key: UUID | None = None
) -> ReversalRequest:
    """The sender asks the receiver to agree to reversing a confirmed allocation."""
    if actor is not None and not policy.may_reverse(actor, allocation):
        raise PermissionDenied(
            _("Only a business operator of the allocating unit may request a reversal")
        )
    reason = _reason(reason, _("Give the reason for the reversal"))
    current = _locked(allocation)
    done: ReversalRequest | None = used(ReversalRequest, key)
    if done is not None:
        if done.allocation_id != current.pk:
            raise ValidationError(str(FORM_USED))
        return done
    _check_reversible(current)
    if current.receipt_id is None:
        raise ValidationError(
            _("The receiver has not confirmed receipt yet: reverse the allocation directly")
        )
    if current.reversal_requests.filter(status=ReversalStatus.PENDING).exists():
        raise ValidationError(
            _("This allocation already has a reversal request awaiting the receiver")
        )
    request: ReversalRequest
    request, created = insert_once(
        ReversalRequest, key, allocation=current, reason=reason, requested_by=actor
    )
    if created:
        audit_record(
            action="funds.reversal_request",
            actor=actor,
            obj=request,
            detail={"allocation": current.pk, "to": current.to_filing.unit.code, "reason": reason},
        )
    return request


def _pending(request: ReversalRequest, actor: User | None) -> tuple[ReversalRequest, Allocation]:
    request = ReversalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    current = _locked(request.allocation)
    if actor is not None and not policy.may_decide_reversal(actor, current):
        raise PermissionDenied(
            _("Only a business operator of the receiving unit may answer a reversal request")
        )
    return request, current


def _decide(request: ReversalRequest, status: str, actor: User | None, note: str = "") -> None:
    ReversalRequest.objects.filter(pk=request.pk).update(
        status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note
    )
    request.refresh_from_db()


@transaction.atomic
def reversal_agree(
    *, request: ReversalRequest, actor: User | None, key: UUID | None = None
) -> Allocation:
    """The receiver agrees: the counter-entry is written (carrying the original's receipt, so
    confirmed sums net out too). Agreeing twice returns the same counter-entry."""
    request, current = _pending(request, actor)
    if request.status == ReversalStatus.AGREED:
        return current.reversal
    if request.status != ReversalStatus.PENDING:
        raise ValidationError(_("This reversal request has already been answered"))
    _check_reversible(current)
    counter = _write_counter_entry(current, reason=request.reason, actor=actor, key=key)
    _decide(request, ReversalStatus.AGREED, actor)
    audit_record(
        action="funds.reversal_agree",
        actor=actor,
        obj=request,
        detail={"allocation": current.pk, "counter_entry": counter.pk},
    )
    return counter


@transaction.atomic
def reversal_decline(*, request: ReversalRequest, note: str, actor: User | None) -> ReversalRequest:
    """The receiver declines a requested reversal, saying why; nothing moves."""
    note = _reason(note, _("Give the reason for disagreeing"))
    request, current = _pending(request, actor)
    if request.status == ReversalStatus.DECLINED:
        return request
    if request.status != ReversalStatus.PENDING:
        raise ValidationError(_("This reversal request has already been answered"))
    _decide(request, ReversalStatus.DECLINED, actor, note)
    audit_record(
        action="funds.reversal_decline",
        actor=actor,
        obj=request,
        detail={"allocation": current.pk, "note": note},
    )
    return request


@transaction.atomic
def receipt_correct(
    *,
    receipt: Receipt,
    arrival_date: date,
    reason: str,
    actor: User | None,
    key: UUID | None = None,
) -> ReceiptCorrection:
    """The receiver corrects a receipt's arrival date, with a reason; the old date is kept in
    the correction row. The same date rules as at confirmation."""
    if actor is not None and not policy.may_correct_receipt(actor, receipt):
        raise PermissionDenied(
            _("Only a business operator of the receiving unit may correct the arrival date")
        )
    reason = _reason(reason, _("Give the reason for the correction"))
    current = Receipt.objects.select_for_update(of=("self",)).get(pk=receipt.pk)
    done: ReceiptCorrection | None = used(ReceiptCorrection, key)
    if done is not None:
        if done.receipt_id != current.pk:
            raise ValidationError(str(FORM_USED))
        return done
    check_arrival_date(arrival_date, current.allocations.filter(reverses__isnull=True))
    if arrival_date == current.arrival_date:
        raise ValidationError(_("The corrected arrival date is the same as before"))
    correction: ReceiptCorrection
    correction, created = insert_once(
        ReceiptCorrection,
        key,
        receipt=current,
        old_date=current.arrival_date,
        new_date=arrival_date,
        reason=reason,
        corrected_by=actor,
    )
    if created:
        Receipt.objects.filter(pk=current.pk).update(arrival_date=arrival_date)
        audit_record(
            action="funds.receipt_correct",
            actor=actor,
            obj=current,
            detail={
                "filing": current.filing_id,
                "from": current.arrival_date.isoformat(),
                "to": arrival_date.isoformat(),
                "reason": reason,
            },
        )
    return correction
