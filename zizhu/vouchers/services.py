"""Writes of payment vouchers (支付凭证). Keyword-only, atomic, audited.

A voucher is recorded, edited and deleted by the school's operator for the school itself. Every
file is judged by its content (zizhu.lib.uploads.check_attachment) before anything is written:
one refused file and nothing is saved. Once the school's filing of the voucher's year and
project is locked (its deadline passed and the level above has not unlocked it), the voucher is
frozen with it.
"""

import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zizhu.accounts.models import User
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.catalogue.selectors import not_for_unit, project_is_for
from zizhu.funds.models import Filing
from zizhu.funds.selectors import is_closed
from zizhu.funds.services import FORM_USED, INVALID_YEAR, StaleFiling
from zizhu.lib.money import money
from zizhu.lib.onetime import insert_once, used
from zizhu.lib.uploads import (
    AttachmentInfo,
    UploadRejected,
    check_attachment,
    random_storage_name,
)
from zizhu.units.models import Unit
from zizhu.vouchers.models import Voucher, VoucherFile
from zizhu.vouchers.policy import may_record

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

MAX_FILES = 10
MAX_STUDENTS = 10_000_000
STALE_MESSAGE = gettext_lazy(
    "The voucher was changed by someone else; reload it and fill it in again"
)
TOO_MANY_FILES = gettext_lazy("A voucher has at most %(n)s files")
# what the school was doing when the locked filing refused it
LOCKED_MESSAGES = {
    "upload": gettext_lazy(
        "The funds filing of %(project)s for %(year)s is past its deadline and locked; "
        "the level above must unlock it before a payment voucher can be uploaded"
    ),
    "update": gettext_lazy(
        "The funds filing of %(project)s for %(year)s is past its deadline and locked; "
        "the level above must unlock it before a payment voucher can be changed"
    ),
    "delete": gettext_lazy(
        "The funds filing of %(project)s for %(year)s is past its deadline and locked; "
        "the level above must unlock it before a payment voucher can be deleted"
    ),
}


class StaleVoucher(StaleFiling):
    """The voucher was saved by someone else since the form was read: the same refusal as a
    stale filing's (a version read with the form, compared under the row lock)."""


def voucher_projects(school: Unit) -> QuerySet[AidProject]:
    """The national-aid projects a school may record vouchers for: its stage's, or "any"."""
    return AidProject.objects.filter(
        category=Category.NATIONAL, is_active=True, stage__in=[school.stage, "any"]
    )


def _check_fields(
    *, school: Unit, year: int, project: AidProject, students: int, note: str
) -> None:
    if not school.is_school:
        raise ValidationError(_("Only schools can upload payment vouchers"))
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(INVALID_YEAR % {"year": year})
    if project.category != Category.NATIONAL or not project.is_active:
        raise ValidationError(
            _("The aid project %(project)s is not an active national aid project")
            % {"project": project.name}
        )
    if not project_is_for(project, school):
        raise ValidationError(not_for_unit(project, school))
    _check_students_and_note(students, note)


def _check_students_and_note(students: int, note: str) -> None:
    if isinstance(students, bool) or not isinstance(students, int):
        raise ValidationError(_("The number of aided students must be a whole number"))
    if not 0 < students < MAX_STUDENTS:
        raise ValidationError(_("The number of aided students must be a positive whole number"))
    if len(note) > 200:
        raise ValidationError(_("The note cannot be longer than 200 characters"))


def _file_name(upload: "UploadedFile[bytes]") -> str:
    return (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]


def _check_files(
    files: Sequence["UploadedFile[bytes]"], *, required: bool = True
) -> list[AttachmentInfo]:
    """Each file's check result, or ValidationError naming the first refused file and why."""
    if required and not files:
        raise ValidationError(_("Upload at least one voucher file"))
    if len(files) > MAX_FILES:
        raise ValidationError(TOO_MANY_FILES % {"n": MAX_FILES})
    checked = []
    for number, upload in enumerate(files, start=1):
        name = _file_name(upload)
        try:
            # An UploadedFile is a binary file; its stubs make it IO[bytes], which is not BinaryIO.
            checked.append(check_attachment(name, upload))  # type: ignore[arg-type]
        except UploadRejected as exc:
            raise ValidationError(
                _("File %(number)s “%(name)s” did not pass the check: %(reason)s")
                % {"number": number, "name": name, "reason": exc.message}
            ) from None
    return checked


def _check_filing_open(*, school: Unit, year: int, project: AidProject, doing: str) -> None:
    """Refuse when the school's filing of `year` and `project` is locked or frozen by its
    deadline (the filing's own check, zizhu.funds.selectors.is_closed, ADR 0006), unless the
    level above unlocked it. No filing, no lock. The filing row is locked for the rest of the
    transaction, so an unlock or a relock cannot slip in between (lock order: filing, then
    voucher)."""
    filing = (
        Filing.objects.select_for_update(of=("self",))
        .filter(unit=school, year=year, project=project)
        .only("pk", "unit", "year", "project", "status", "unlocked_until")
        .first()
    )
    if filing is None:
        return
    filing.unit = school
    if is_closed(filing):
        raise ValidationError(LOCKED_MESSAGES[doing] % {"year": year, "project": project.name})


def stored_file(*, voucher_id: int, name: str, data: bytes, info: AttachmentInfo) -> VoucherFile:
    """An unsaved VoucherFile for `data` (already judged by check_attachment as `info`), its
    bytes written to the storage under a random name with the content's extension. The caller
    saves the record, and removes the stored file (`remove_stored`) if that fails."""
    record = VoucherFile(
        voucher_id=voucher_id,
        name=name[-200:],
        content_type=info.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    record.file.save(random_storage_name(info.extension), ContentFile(data), False)
    return record


def _store(
    voucher: Voucher,
    files: Sequence["UploadedFile[bytes]"],
    checked: list[AttachmentInfo],
    stored: list[str],
) -> list[VoucherFile]:
    """Write each checked upload and its row; `stored` collects the paths as they are written."""
    records = []
    for upload, info in zip(files, checked, strict=True):
        record = stored_file(
            voucher_id=voucher.pk, name=_file_name(upload), data=info.content, info=info
        )
        # a saved file has a name; the stubs' FieldFile.name also allows an empty one's None
        stored.append(record.file.name)  # type: ignore[arg-type]
        records.append(record)
    VoucherFile.objects.bulk_create(records)
    return records


def _described(records: Iterable[VoucherFile]) -> list[dict[str, object]]:
    return [{"name": r.name, "sha256": r.sha256, "size": r.size} for r in records]


def voucher_create(
    *,
    school: Unit,
    year: int,
    project: AidProject,
    students: int,
    amount: Decimal | str,
    files: Sequence["UploadedFile[bytes]"],
    actor: User | None,
    note: str = "",
    request: HttpRequest | None = None,
    key: UUID | None = None,
) -> Voucher:
    """Record a voucher with its files: all of them or nothing (ValidationError says which
    file was refused and why). Refused while the school's filing of the year and project is
    locked. `key` is the upload form's one-time key: a second call with it returns the first
    voucher and stores nothing (docs/adr/0009)."""
    if actor is not None and not may_record(actor, school):
        raise PermissionDenied(_("Only a school operator of the school may upload its vouchers"))
    note = (note or "").strip()
    _check_fields(school=school, year=year, project=project, students=students, note=note)
    amount = money(amount, _("Aid amount"), positive=True)
    checked = _check_files(files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            _check_filing_open(school=school, year=year, project=project, doing="upload")
            done: Voucher | None = used(Voucher, key)
            if done is not None:
                return _replayed(done, school)
            voucher: Voucher  # lib.onetime is untyped: the row is typed where bound
            voucher, created = insert_once(
                Voucher,
                key,
                unit=school,
                year=year,
                project=project,
                students=students,
                amount=amount,
                note=note,
                created_by=actor,
            )
            if not created:
                return _replayed(voucher, school)
            records = _store(voucher, files, checked, stored)
            audit_record(
                action="vouchers.create",
                actor=actor,
                request=request,
                obj=voucher,
                detail={
                    "school": school.code,
                    "year": year,
                    "project": project.code,
                    "students": students,
                    "amount": str(amount),
                    "files": _described(records),
                },
            )
    except BaseException:
        remove_stored(stored)  # the rows were rolled back: no file may outlive them
        raise
    return voucher


def _replayed(voucher: Voucher, school: Unit) -> Voucher:
    if voucher.unit_id != school.pk:
        raise ValidationError(str(FORM_USED))
    return voucher


def voucher_update(
    *,
    voucher: Voucher,
    version: int,
    students: int,
    amount: Decimal | str,
    actor: User | None,
    note: str | None = None,
    add_files: Iterable["UploadedFile[bytes]"] = (),
    remove_files: Iterable[int] = (),
    request: HttpRequest | None = None,
) -> Voucher:
    """Change a voucher's number of students, amount and note, add files (`add_files`, judged
    by content like the upload's) and remove files (`remove_files`, VoucherFile pks of this
    voucher); at least one file remains. All or nothing. Refused (StaleVoucher) when someone
    saved since `version` was read, and while the school's filing of the voucher's year and
    project is locked. Removed files leave the storage once the change commits."""
    school = voucher.unit
    if actor is not None and not may_record(actor, school):
        raise PermissionDenied(_("Only a school operator of the school may change its vouchers"))
    note = voucher.note if note is None else note.strip()
    _check_students_and_note(students, note)
    amount = money(amount, _("Aid amount"), positive=True)
    add_files = list(add_files)
    checked = _check_files(add_files, required=False)
    remove = {int(pk) for pk in remove_files}
    stored: list[str] = []
    try:
        with transaction.atomic():
            _check_filing_open(
                school=school, year=voucher.year, project=voucher.project, doing="update"
            )
            current = Voucher.objects.select_for_update(of=("self",)).get(pk=voucher.pk)
            if current.version != version:
                raise StaleVoucher(str(STALE_MESSAGE))
            files = list(current.files.all())
            if not remove <= {f.pk for f in files}:
                raise ValidationError(
                    _(
                        "A file to remove does not belong to this payment voucher; "
                        "reload it and fill it in again"
                    )
                )
            kept = len(files) - len(remove) + len(add_files)
            if kept < 1:
                raise ValidationError(_("A voucher keeps at least one file"))
            if kept > MAX_FILES:
                raise ValidationError(TOO_MANY_FILES % {"n": MAX_FILES})
            added = _store(current, add_files, checked, stored)
            removed = [f for f in files if f.pk in remove]
            VoucherFile.objects.filter(pk__in=remove).delete()
            before = {"students": current.students, "amount": str(current.amount)}
            before["note"] = current.note
            Voucher.objects.filter(pk=current.pk).update(
                students=students, amount=amount, note=note, version=F("version") + 1
            )
            voucher.refresh_from_db()
            audit_record(
                action="vouchers.update",
                actor=actor,
                request=request,
                obj=voucher,
                detail={
                    "school": school.code,
                    "year": voucher.year,
                    "project": voucher.project.code,
                    "before": before,
                    "after": {"students": students, "amount": str(amount), "note": note},
                    "files_added": _described(added),
                    "files_removed": _described(removed),
                },
            )
            # a stored row's file has a name; the stubs' FieldFile.name also allows None
            paths: list[str] = [f.file.name for f in removed]  # type: ignore[misc]
            transaction.on_commit(lambda: remove_stored(paths))
    except BaseException:
        remove_stored(stored)  # the rows were rolled back: no new file may outlive them
        raise
    return voucher


def voucher_delete(
    *, voucher: Voucher, actor: User | None, request: HttpRequest | None = None
) -> None:
    """Delete a voucher and its files (the files leave the storage once the delete commits).
    Refused while the school's filing of the voucher's year and project is locked."""
    if actor is not None and not may_record(actor, voucher.unit):
        raise PermissionDenied(_("Only a school operator of the school may delete its vouchers"))
    with transaction.atomic():
        _check_filing_open(
            school=voucher.unit, year=voucher.year, project=voucher.project, doing="delete"
        )
        files = list(voucher.files.values_list("file", "name", "sha256"))
        detail = {
            "school": voucher.unit.code,
            "year": voucher.year,
            "project": voucher.project.code,
            "students": voucher.students,
            "amount": str(voucher.amount),
            "files": [{"name": name, "sha256": sha} for _f, name, sha in files],
        }
        audit_record(
            action="vouchers.delete", actor=actor, request=request, obj=voucher, detail=detail
        )
        voucher.delete()
        paths = [path for path, _name, _sha in files]
        transaction.on_commit(lambda: remove_stored(paths))


def remove_stored(paths: list[str]) -> None:
    """Delete stored voucher files by their storage names."""
    storage = VoucherFile._meta.get_field("file").storage
    for path in paths:
        storage.delete(path)
