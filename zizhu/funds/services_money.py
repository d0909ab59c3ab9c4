"""Writes moving money between filings: allocations (下拨) and confirmed receipts.
Keyword-only, atomic, audited; `actor` as in `zizhu.funds.services`.

Balances change only under the row locks of `zizhu.funds.ledger` (docs/adr/0005-funds-ledger.md).
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zizhu.audit.services import audit_record
from zizhu.funds.ledger import balances_lock, balances_save
from zizhu.funds.models import ZERO, Allocation, Filing, Receipt, SourceLevel
from zizhu.funds.policy import ALLOCATED_CATEGORIES
from zizhu.funds.services import (
    _check_actor,
    _check_project,
    _filing_insert,
    money,
)
from zizhu.units.models import Unit

LEVEL_NAMES = {
    SourceLevel.CENTRAL: "中央资金",
    SourceLevel.PROVINCIAL: "省级资金",
    SourceLevel.PREFECTURAL: "地市级资金",
    SourceLevel.COUNTY: "区县级资金",
}


def _check_target(source: Filing, target_unit: Unit) -> None:
    if source.project.category not in ALLOCATED_CATEGORIES:
        raise ValidationError("只有国家资助和地方资助的资金可以下拨")
    if target_unit.parent_id != source.unit_id or not target_unit.is_active:
        raise ValidationError(f"{target_unit.name} 不是 {source.unit.name} 的下级单位或直属学校")
    _check_project(target_unit, source.project)


def _clean_amounts(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    if not amounts:
        raise ValidationError("请填写下拨金额")
    clean = {}
    for level, value in amounts.items():
        if level not in SourceLevel.values:
            raise ValueError(f"not a source level: {level}")
        clean[str(level)] = money(value, LEVEL_NAMES[level], positive=True)
    return clean


def _child_filing(source: Filing, target_unit: Unit, actor) -> Filing:
    existing = Filing.objects.filter(
        unit=target_unit, year=source.year, project=source.project
    ).first()
    if existing is not None:
        return existing
    try:
        return _filing_insert(
            unit=target_unit, year=source.year, project=source.project, actor=actor, fields={}
        )
    except ValidationError:  # created meanwhile by a concurrent allocation
        return Filing.objects.get(unit=target_unit, year=source.year, project=source.project)


@transaction.atomic
def allocation_create(
    *, source: Filing, target_unit: Unit, amounts: Mapping[str, Decimal], actor
) -> Allocation:
    """Move money from `source` to the same year's and project's filing of a direct child.

    `amounts` maps source levels to positive amounts. Under the ledger's row locks each
    level's allocated money must stay within what the source received plus, for its own
    level, its own funds; otherwise nothing moves. The child's filing is created if missing.
    """
    _check_actor(actor, source.unit)
    clean = _clean_amounts(amounts)
    _check_target(source, target_unit)
    target = _child_filing(source, target_unit, actor)
    balances = balances_lock([source, target])
    short = []
    for level, amount in clean.items():
        out = balances.of(source, level)
        if out.allocated_out + amount > out.received + out.own:
            short.append(
                f"{LEVEL_NAMES[level]}余额不足：可下拨 {out.available} 元，本次下拨 {amount} 元"
            )
        out.allocated_out += amount
        balances.of(target, level).received += amount
    if short:
        raise ValidationError(short)
    balances_save(balances.values())
    allocation = Allocation.objects.create(
        from_filing=source, to_filing=target, created_by=actor, **clean
    )
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


@transaction.atomic
def receipt_confirm(*, filing: Filing, arrival_date: date, actor) -> Receipt:
    """Confirm receipt (确认收到资金) of every incoming allocation not yet confirmed."""
    _check_actor(actor, filing.unit)
    if not isinstance(arrival_date, date):
        raise ValidationError("请填写资金到位时间")
    if arrival_date > timezone.localdate():
        raise ValidationError("资金到位时间不能晚于今天")
    pending = list(
        Allocation.objects.select_for_update()
        .filter(to_filing=filing, receipt__isnull=True)
        .order_by("pk")
    )
    if not pending:
        raise ValidationError("没有待确认收到的下拨资金")
    receipt = Receipt.objects.create(filing=filing, arrival_date=arrival_date, confirmed_by=actor)
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
