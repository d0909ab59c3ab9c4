"""Writes of payment vouchers (支付凭证). Keyword-only, atomic, audited.

A voucher is recorded by the school's operator for the school itself. Every file is judged by
its content (zizhu.lib.uploads.check_attachment) before anything is written: one refused file
and nothing is saved.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from zizhu.access import Action, can
from zizhu.accounts.roles import Role
from zizhu.audit.services import audit_record
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.services import money
from zizhu.lib.uploads import UploadRejected, check_attachment, random_storage_name
from zizhu.units.models import Unit
from zizhu.vouchers.models import Voucher, VoucherFile

MAX_FILES = 10
MAX_STUDENTS = 10_000_000


def may_record(user, school: Unit) -> bool:
    """The school's own operator records and deletes its vouchers."""
    return (
        can(user, Action.FILE) and user.role == Role.SCHOOL_OPERATOR and user.unit_id == school.pk
    )


def voucher_projects(school: Unit):
    """The national-aid projects a school may record vouchers for: its stage's, or "any"."""
    return AidProject.objects.filter(
        category=Category.NATIONAL, is_active=True, stage__in=[school.stage, "any"]
    )


def _check_fields(*, school: Unit, year, project: AidProject, students, note: str) -> None:
    if not school.is_school:
        raise ValidationError("只有学校可以上传支付凭证")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError(f"使用年度无效：{year}")
    if project.category != Category.NATIONAL or not project.is_active:
        raise ValidationError(f"资助项目 {project.name} 不是有效的国家资助项目")
    if project.stage not in ("any", school.stage):
        raise ValidationError(f"资助项目 {project.name} 不属于学校 {school.name} 的学段")
    if isinstance(students, bool) or not isinstance(students, int):
        raise ValidationError("资助学生人数必须是整数")
    if not 0 < students < MAX_STUDENTS:
        raise ValidationError("资助学生人数必须是正整数")
    if len(note) > 200:
        raise ValidationError("备注不能超过 200 个字")


def _check_files(files) -> list:
    """Each file's check result, or ValidationError naming the first refused file and why."""
    if not files:
        raise ValidationError("请至少上传一个凭证文件")
    if len(files) > MAX_FILES:
        raise ValidationError(f"每张凭证最多上传 {MAX_FILES} 个文件")
    checked = []
    for number, upload in enumerate(files, start=1):
        name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
        try:
            checked.append(check_attachment(name, upload))
        except UploadRejected as exc:
            raise ValidationError(f"第 {number} 个文件“{name}”未通过检查：{exc.message}") from None
    return checked


def voucher_create(
    *,
    school: Unit,
    year: int,
    project: AidProject,
    students: int,
    amount,
    files,
    actor,
    note: str = "",
    request=None,
) -> Voucher:
    """Record a voucher with its files: all of them or nothing (ValidationError says which
    file was refused and why)."""
    if actor is not None and not may_record(actor, school):
        raise PermissionDenied("只能由本校的学校业务操作人员上传支付凭证")
    note = (note or "").strip()
    _check_fields(school=school, year=year, project=project, students=students, note=note)
    amount = money(amount, "支付金额", positive=True)
    checked = _check_files(files)
    stored: list[str] = []
    try:
        with transaction.atomic():
            voucher = Voucher.objects.create(
                unit=school,
                year=year,
                project=project,
                students=students,
                amount=amount,
                note=note,
                created_by=actor,
            )
            records = []
            for upload, info in zip(files, checked, strict=True):
                upload.seek(0)
                data = upload.read()
                record = VoucherFile(
                    voucher=voucher,
                    name=(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][-200:],
                    content_type=info.content_type,
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
                record.file.save(random_storage_name(info.extension), ContentFile(data), False)
                stored.append(record.file.name)
                records.append(record)
            VoucherFile.objects.bulk_create(records)
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
                    "files": [
                        {"name": r.name, "sha256": r.sha256, "size": r.size} for r in records
                    ],
                },
            )
    except BaseException:
        _remove(stored)  # the rows were rolled back: no file may outlive them
        raise
    return voucher


def voucher_delete(*, voucher: Voucher, actor, request=None) -> None:
    """Delete a voucher and its files (the files leave the storage once the delete commits)."""
    if actor is not None and not may_record(actor, voucher.unit):
        raise PermissionDenied("只能由本校的学校业务操作人员删除支付凭证")
    with transaction.atomic():
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
        transaction.on_commit(lambda: _remove(paths))


def _remove(paths: list[str]) -> None:
    storage = VoucherFile._meta.get_field("file").storage
    for path in paths:
        storage.delete(path)
