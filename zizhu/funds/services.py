"""Writes of the funds ledger: filings, allocations, receipts. Keyword-only, atomic, audited.

`actor` is the user acting (None only for system code such as the demo generator); a user
acts for their own unit only. Balances change only under `zizhu.funds.ledger` locks.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zizhu.access import Action, can
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.ledger import balances_create, balances_lock, balances_save
from zizhu.funds.models import (
    ZERO,
    Allocation,
    Filing,
    FilingStatus,
    Receipt,
    SourceLevel,
)
from zizhu.units.models import Unit

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # Decimal(14, 2)
LEVEL_NAMES = {
    SourceLevel.CENTRAL: "中央资金",
    SourceLevel.PROVINCIAL: "省级资金",
    SourceLevel.PREFECTURAL: "地市级资金",
    SourceLevel.COUNTY: "区县级资金",
}
ALLOCATED_CATEGORIES = (Category.NATIONAL, Category.LOCAL)
SCHOOL_ONLY_CATEGORIES = (Category.SCHOOL, Category.SOCIAL)
# The amounts a school fills, by category (DESIGN §3); authorities fill none of them.
SCHOOL_AMOUNTS = {
    Category.NATIONAL: (),
    Category.LOCAL: (),
    Category.SCHOOL: ("school_funds", "other_funds"),
    Category.SOCIAL: ("social_funds", "other_funds"),
}
FIELD_NAMES = {
    "own_funds": "本级资金",
    "school_funds": "学校资金",
    "other_funds": "其他资金",
    "social_funds": "社会资金",
}
EDITABLE = ("doc_number", "doc_date", "doc_title", *FIELD_NAMES)


def money(value, label: str, *, positive: bool = False) -> Decimal:
    """`value` as yuan with two places; floats, more places, negatives are refused."""
    if isinstance(value, float | bool):
        raise ValidationError(f"{label}必须是精确的十进制金额")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}不是有效的金额：{value}") from None
    if not amount.is_finite():
        raise ValidationError(f"{label}不是有效的金额：{value}")
    if amount != amount.quantize(CENT):
        raise ValidationError(f"{label}最多保留两位小数：{value}")
    if positive and amount <= 0:
        raise ValidationError(f"{label}必须大于零")
    if amount < 0:
        raise ValidationError(f"{label}不能为负数")
    if amount >= MAX_AMOUNT:
        raise ValidationError(f"{label}超出允许的范围")
    return amount.quantize(CENT)


def _check_actor(actor, unit: Unit) -> None:
    if actor is None:
        return
    if not can(actor, Action.FILE) or actor.unit_id != unit.pk:
        raise PermissionDenied("只能由本单位的业务操作人员办理")


def _check_project(unit: Unit, project: AidProject) -> None:
    if unit.is_authority and project.category in SCHOOL_ONLY_CATEGORIES:
        raise ValidationError("学校资助和社会资助只由学校填报")
    if unit.is_school and project.stage not in ("any", unit.stage):
        raise ValidationError(f"资助项目 {project.name} 不属于学校 {unit.name} 的学段")


def _check_year(year: int) -> None:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(f"使用年度无效：{year}")


def _clean_fields(unit: Unit, project: AidProject, fields: dict) -> dict:
    """The filing fields valid for this unit and category, amounts as Decimals."""
    allowed = (
        {"doc_number", "doc_date", "doc_title", "own_funds"}
        if unit.is_authority
        else set(SCHOOL_AMOUNTS[project.category])
    )
    clean = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(f"not a filing field: {name}")
        empty = value is None or value == "" or (name == "own_funds" and value == ZERO)
        if name not in allowed:
            if not empty:
                raise ValidationError(f"此类填报没有“{FIELD_NAMES.get(name, name)}”一项")
            continue
        if name in FIELD_NAMES and value is not None:
            value = money(value, FIELD_NAMES[name])
        if name == "doc_date" and value is not None and not isinstance(value, date):
            raise ValidationError("发文日期无效")
        clean[name] = value
    return clean


def _filing_insert(*, unit: Unit, year: int, project: AidProject, actor, fields: dict) -> Filing:
    try:
        with transaction.atomic():
            filing = Filing.objects.create(unit=unit, year=year, project=project, **fields)
    except IntegrityError:
        raise ValidationError(f"{unit.name} 已有 {year} 年度 {project.name} 的资金填报") from None
    balances_create(filing, own=filing.own_funds)
    audit_record(
        action="funds.filing_create",
        actor=actor,
        obj=filing,
        detail={
            "unit": unit.code,
            "year": year,
            "project": project.code,
            "own_funds": str(filing.own_funds),
        },
    )
    return filing


@transaction.atomic
def filing_create(
    *,
    unit: Unit,
    year: int,
    project: AidProject,
    actor,
    own_funds: Decimal = ZERO,
    doc_number: str = "",
    doc_date: date | None = None,
    doc_title: str = "",
    school_funds: Decimal | None = None,
    other_funds: Decimal | None = None,
    social_funds: Decimal | None = None,
) -> Filing:
    """A unit's filing for one project and year, with its four (empty) balance rows.

    Authorities give the document and their own funds; schools the amounts of the category.
    Received funds are not given here: they arrive as allocations.
    """
    _check_actor(actor, unit)
    _check_year(year)
    _check_project(unit, project)
    fields = _clean_fields(
        unit,
        project,
        {
            "own_funds": own_funds,
            "doc_number": doc_number,
            "doc_date": doc_date,
            "doc_title": doc_title,
            "school_funds": school_funds,
            "other_funds": other_funds,
            "social_funds": social_funds,
        },
    )
    return _filing_insert(unit=unit, year=year, project=project, actor=actor, fields=fields)


@transaction.atomic
def filing_update(*, filing: Filing, version: int, actor, **changes) -> Filing:
    """Change a filing's own fields, refused when someone saved since `version` was read.

    Lowering own funds below what was already allocated of the own level is refused.
    """
    _check_actor(actor, filing.unit)
    fields = _clean_fields(filing.unit, filing.project, changes)
    balances = balances_lock([filing]) if "own_funds" in fields else None
    current = Filing.objects.select_for_update().get(pk=filing.pk)
    if current.version != version:
        raise ValidationError("该填报已被他人修改，请刷新后重新填写")
    if current.status == FilingStatus.LOCKED:
        raise ValidationError("该填报已锁定，不能修改")
    before = {name: str(getattr(current, name)) for name in fields}
    Filing.objects.filter(pk=filing.pk).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if balances is not None and filing.own_level is not None:
        own = balances.of(filing, filing.own_level)
        own.own = fields["own_funds"]
        if own.allocated_out > own.received + own.own:
            raise ValidationError(
                f"本级资金不能少于已下拨的本级资金：已下拨 {own.allocated_out - own.received} 元"
            )
        balances_save([own])
    filing.refresh_from_db()
    audit_record(
        action="funds.filing_update",
        actor=actor,
        obj=filing,
        detail={"before": before, "after": {name: str(getattr(filing, name)) for name in fields}},
    )
    return filing


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
