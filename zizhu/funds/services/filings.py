"""Writes of a funds filing: create, update, and its status flow (submit, approve, return).
Keyword-only, atomic, audited; `actor` as in `common`.

Balances change only under `zizhu.funds.ledger` locks. Money moving between filings is in
`money`, deadlines and locks in `deadlines`; the checks all of them use are in `common`.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from zizhu.access import Action, can
from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds import policy
from zizhu.funds.ledger import balances_lock, balances_save
from zizhu.funds.models import ZERO, Filing, FilingStatus
from zizhu.funds.selectors import is_closed, is_frozen
from zizhu.funds.services.common import (
    check_actor,
    check_project,
    check_year,
    filing_insert,
    set_status,
)
from zizhu.lib.formats import figure
from zizhu.lib.money import money
from zizhu.lib.uploads import check_pdf_document, random_storage_name
from zizhu.units.models import Unit

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# The amounts a school fills, by category (docs/domain.md, funds); authorities fill none of them.
SCHOOL_AMOUNTS: dict[str, tuple[str, ...]] = {
    Category.NATIONAL: (),
    Category.LOCAL: (),
    Category.SCHOOL: ("school_funds", "other_funds"),
    Category.SOCIAL: ("social_funds", "other_funds"),
}
# The fields a school fills, by category: the amounts above (required to submit), and for
# school aid the money received from above with its arrival date (only where it got some).
SCHOOL_FIELDS: dict[str, tuple[str, ...]] = {
    **SCHOOL_AMOUNTS,
    Category.SCHOOL: ("received_funds", "received_arrival_date", "school_funds", "other_funds"),
}
# A field's name in messages is its verbose name (the Chinese label of the form).
AMOUNT_FIELDS = ("own_funds", "school_funds", "other_funds", "social_funds", "received_funds")
DATE_FIELDS = ("doc_date", "received_arrival_date")
DOCUMENT_FIELDS = ("doc_number", "doc_date", "doc_title")
EDITABLE = ("doc_number", "doc_date", "doc_title", *AMOUNT_FIELDS, "received_arrival_date")
STALE_MESSAGE = gettext_lazy(
    "The filing was changed by someone else; reload it and fill it in again"
)


def field_name(name: str) -> str:
    """The label of a filing field, as the form shows it."""
    # only the filing's own fields are named here, never a relation's reverse side
    return str(cast("Field[Any, Any]", Filing._meta.get_field(name)).verbose_name)


def status_name(status: str) -> str:
    return str(FilingStatus(status).label)


class StaleFiling(ValidationError):
    """The filing was saved by someone else since the form was read."""


def _clean_fields(unit: Unit, project: AidProject, fields: Mapping[str, object]) -> dict[str, Any]:
    """The filing fields valid for this unit and category, amounts as Decimals."""
    # each value has its own field's type (Decimal, date, str or None): Any, by name
    allowed = (
        {"doc_number", "doc_date", "doc_title", "own_funds"}
        if unit.is_authority
        else set(SCHOOL_FIELDS[project.category])
    )
    clean = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(f"not a filing field: {name}")
        empty = value is None or value == "" or (name == "own_funds" and value == ZERO)
        if name not in allowed:
            if not empty:
                raise ValidationError(
                    _("This kind of filing has no “%(field)s”") % {"field": field_name(name)}
                )
            continue
        if name in AMOUNT_FIELDS and value is not None:
            value = money(value, field_name(name))
        if name in DATE_FIELDS and value is not None:
            if not isinstance(value, date):
                raise ValidationError(_("%(field)s is invalid") % {"field": field_name(name)})
            if name == "received_arrival_date" and value > timezone.localdate():
                raise ValidationError(
                    _("The arrival date of received funds cannot be later than today")
                )
        clean[name] = value
    if clean.get("received_arrival_date") and not clean.get("received_funds"):
        raise ValidationError(_("An arrival date of received funds needs the received funds too"))
    return clean


@transaction.atomic
def filing_create(
    *,
    unit: Unit,
    year: int,
    project: AidProject,
    actor: User | None,
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
    Received funds are not given here: they arrive as allocations. After the deadline only an
    empty filing may be created (the level above can then unlock it; ADR 0006).
    """
    check_actor(actor, unit)
    check_year(year)
    check_project(unit, project)
    content = [doc_number, doc_date, doc_title, school_funds, other_funds, social_funds]
    if (own_funds or any(v not in (None, "") for v in content)) and is_frozen(
        Filing(unit=unit, year=year, project=project)
    ):
        raise ValidationError(FROZEN_MESSAGE)
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
    return filing_insert(unit=unit, year=year, project=project, actor=actor, fields=fields)


FROZEN_MESSAGE = gettext_lazy(
    "The filing deadline has passed; the level above must unlock the filing before it can change"
)


def _check_open(current: Filing, unit: Unit) -> None:
    """Refuse changing a locked filing, or any filing once its deadline has passed, unless
    the level above unlocked it until a moment still ahead (ADR 0006)."""
    current.unit = unit
    if is_closed(current):
        locked = current.status == FilingStatus.LOCKED
        raise ValidationError(
            _("The filing is locked and cannot be changed") if locked else FROZEN_MESSAGE
        )


def _checked_document(document: "UploadedFile[bytes]") -> tuple[bytes, str, str]:
    """The PDF's bytes, a random storage name and its own name; raises UploadRejected (a
    ValueError)."""
    name = document.name or ""  # a file of a form always has one
    # An UploadedFile is a binary file; its stubs make it IO[bytes], which is not BinaryIO.
    info = check_pdf_document(name, document)  # type: ignore[arg-type]
    return info.content, random_storage_name("pdf"), name


@transaction.atomic
def filing_update(
    *,
    filing: Filing,
    version: int,
    actor: User | None,
    document: "UploadedFile[bytes] | None" = None,
    **changes: object,
) -> Filing:
    """Change a filing's own fields, refused when someone saved since `version` was read.

    `document` is an uploaded PDF body (authorities only), checked by content
    (zizhu.lib.uploads; raises UploadRejected). Lowering own funds below what was already
    allocated of the own level is refused. Refused once the filing is locked or its deadline
    has passed (unless unlocked), and for a school while the filing awaits review.
    """
    check_actor(actor, filing.unit)
    fields = _clean_fields(filing.unit, filing.project, changes)
    if document is not None and not filing.unit.is_authority:
        raise ValidationError(_("A school's filing has no document body"))
    upload = _checked_document(document) if document is not None else None
    balances = balances_lock([filing]) if "own_funds" in fields else None
    current = Filing.objects.select_for_update(of=("self",)).get(pk=filing.pk)
    if current.version != version:
        raise StaleFiling(str(STALE_MESSAGE))
    _check_open(current, filing.unit)
    editable = policy.editable_statuses(filing.unit)
    if current.status not in editable:
        raise ValidationError(
            _("A filing in status %(status)s cannot be changed")
            % {"status": status_name(current.status)}
        )
    before = {name: str(getattr(current, name)) for name in fields}
    if balances is not None and filing.own_level is not None:
        own = balances.of(filing, filing.own_level)
        own.own = fields["own_funds"]
        if own.allocated_out > own.received + own.own:
            raise ValidationError(
                _(
                    "Own funds cannot be less than the own funds allocated: "
                    "%(amount)s yuan allocated"
                )
                % {"amount": figure(own.allocated_out - own.received)}
            )
        balances_save([own])
    replaced = None
    if upload is not None:
        data, stored_name, name = upload
        replaced = current.document.name or None
        current.document.save(stored_name, ContentFile(data), save=False)
        fields["document"] = current.document.name
        fields["document_name"] = name[-200:]
        before["document_name"] = current.document_name
    Filing.objects.filter(pk=filing.pk).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    filing.refresh_from_db()
    fields.pop("document", None)
    audit_record(
        action="funds.filing_update",
        actor=actor,
        obj=filing,
        detail={"before": before, "after": {name: str(getattr(filing, name)) for name in fields}},
    )
    if replaced:
        storage = current.document.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return filing


# --- status flow (docs/adr/0006-filing-review-deadlines.md) --------------------------------


def _check_reviewer(actor: User | None, unit: Unit) -> None:
    if actor is None:
        return
    if not can(actor, Action.REVIEW) or actor.unit_id != unit.pk:
        raise PermissionDenied(_("Only a business reviewer of the unit itself may do this"))


def _missing_for_submit(current: Filing, unit: Unit) -> list[str]:
    if unit.is_authority:
        missing = [field_name(name) for name in DOCUMENT_FIELDS if not getattr(current, name)]
        if not current.document:
            missing.append(_("Document body (PDF)"))
        return missing
    return [
        field_name(name)
        for name in SCHOOL_AMOUNTS[current.project.category]
        if getattr(current, name) is None
    ]


@transaction.atomic
def filing_submit(*, filing: Filing, actor: User | None) -> Filing:
    """The unit's operator submits a draft or returned filing: an authority's becomes
    `submitted` (its first submission time is kept), a school's `pending` for the school's
    reviewer. An authority must have filled the document fields and attached the PDF."""
    check_actor(actor, filing.unit)
    current = (
        Filing.objects.select_for_update(of=("self",)).select_related("project").get(pk=filing.pk)
    )
    _check_open(current, filing.unit)
    if current.status not in policy.SUBMITTABLE:
        raise ValidationError(
            _("A filing in status %(status)s cannot be submitted")
            % {"status": status_name(current.status)}
        )
    missing = _missing_for_submit(current, filing.unit)
    if missing:
        raise ValidationError(
            _("Fill in first: %(fields)s")
            % {"fields": pgettext("list separator", ", ").join(missing)}
        )
    if filing.unit.is_school:
        return set_status(filing, current, FilingStatus.PENDING, actor, "funds.filing_submit")
    return set_status(
        filing,
        current,
        FilingStatus.SUBMITTED,
        actor,
        "funds.filing_submit",
        submitted_at=current.submitted_at or timezone.now(),
    )


@transaction.atomic
def filing_approve(*, filing: Filing, actor: User | None) -> Filing:
    """The school's reviewer approves a pending filing: it counts as submitted from now (the
    first approval's time is kept)."""
    _check_reviewer(actor, filing.unit)
    current = Filing.objects.select_for_update(of=("self",)).get(pk=filing.pk)
    _check_open(current, filing.unit)
    if current.status not in policy.APPROVABLE:
        raise ValidationError(_("Only a filing awaiting review can be approved"))
    return set_status(
        filing,
        current,
        FilingStatus.SUBMITTED,
        actor,
        "funds.filing_approve",
        submitted_at=current.submitted_at or timezone.now(),
        review_comment="",
    )


@transaction.atomic
def filing_return(*, filing: Filing, comment: str, actor: User | None) -> Filing:
    """The school's reviewer returns a pending or approved filing to the operator, saying why."""
    _check_reviewer(actor, filing.unit)
    comment = (comment or "").strip()[:2000]
    if not comment:
        raise ValidationError(_("Give the reason for returning the filing"))
    current = Filing.objects.select_for_update(of=("self",)).get(pk=filing.pk)
    _check_open(current, filing.unit)
    if current.status not in policy.RETURNABLE:
        raise ValidationError(
            _("A filing in status %(status)s cannot be returned")
            % {"status": status_name(current.status)}
        )
    return set_status(
        filing, current, FilingStatus.RETURNED, actor, "funds.filing_return", review_comment=comment
    )
