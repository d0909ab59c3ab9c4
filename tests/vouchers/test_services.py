"""voucher_create / voucher_delete: every file judged by content, all or nothing, audited."""

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from tests.vouchers.factories import make_voucher, project
from tests.vouchers.files import HOSTILE, jpeg, pdf, png, upload
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import Category
from zizhu.lib.uploads import ATTACHMENT_MAX_BYTES, check_attachment
from zizhu.vouchers.models import Voucher, VoucherFile
from zizhu.vouchers.services import voucher_create, voucher_delete


def stored_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "vouchers"
    return sorted(folder.iterdir()) if folder.exists() else []


def create(user, grant, **overrides):
    values = {
        "school": user.unit,
        "year": 2025,
        "project": grant,
        "students": 12,
        "amount": Decimal("27600.00"),
        "files": [upload("凭证.pdf", pdf())],
        "actor": user,
    }
    values.update(overrides)
    return voucher_create(**values)


def test_it_records_a_voucher_with_pdf_jpeg_and_png_files(users, grant):
    contents = {"银行回单.pdf": pdf(), "照片.JPG": jpeg(), "截图.png": png()}
    voucher = create(
        users["school_operator"],
        grant,
        files=[upload(name, data) for name, data in contents.items()],
        note="秋季学期",
    )

    assert (voucher.unit.code, voucher.year, voucher.students, voucher.amount) == (
        "3661000001",
        2025,
        12,
        Decimal("27600.00"),
    )
    rows = list(voucher.files.order_by("pk").values_list("name", "content_type", "size", "sha256"))
    # what is stored: the PDF as it came, the images decoded and saved anew
    kept = {name: check_attachment(name, data).content for name, data in contents.items()}
    assert kept["银行回单.pdf"] == contents["银行回单.pdf"]
    assert rows == [
        (name, kind, len(kept[name]), hashlib.sha256(kept[name]).hexdigest())
        for name, kind in zip(contents, ["application/pdf", "image/jpeg", "image/png"], strict=True)
    ]
    # stored under random names with the content's extension, byte for byte
    for record, data in zip(voucher.files.order_by("pk"), kept.values(), strict=True):
        stored = Path(record.file.path)
        assert stored.read_bytes() == data
        assert stored.stem not in record.name and len(stored.stem) == 32
    assert sorted(p.suffix for p in stored_files()) == [".jpg", ".pdf", ".png"]
    event = AuditEvent.objects.get(action="vouchers.create")
    assert event.object_id == str(voucher.pk)
    assert event.detail["amount"] == "27600.00" and len(event.detail["files"]) == 3


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_it_refuses_each_hostile_file_with_the_file_name_and_the_reason(users, grant, case):
    name, data, reason = HOSTILE[case]
    with pytest.raises(ValidationError) as raised:
        create(users["school_operator"], grant, files=[upload(name, data)])
    message = raised.value.messages[0]
    assert f"第 1 个文件“{name}”" in message and reason in message
    assert not Voucher.objects.exists() and not stored_files()


def test_it_refuses_a_file_over_the_size_limit(users, grant):
    data = pdf() + b"%" * (ATTACHMENT_MAX_BYTES - len(pdf()) + 1)
    with pytest.raises(ValidationError, match="文件超过 10 MB 的上限"):
        create(users["school_operator"], grant, files=[upload("大文件.pdf", data)])
    assert not Voucher.objects.exists()


def test_it_saves_nothing_when_the_second_of_two_files_is_bad(users, grant):
    name, data, _reason = HOSTILE["exe_named_pdf"]
    files = [upload("好的.pdf", pdf()), upload(name, data)]
    with pytest.raises(ValidationError, match=f"第 2 个文件“{name}”.*不能上传可执行文件或脚本"):
        create(users["school_operator"], grant, files=files)
    assert not Voucher.objects.exists() and not VoucherFile.objects.exists()
    assert not stored_files()
    assert not AuditEvent.objects.filter(action="vouchers.create").exists()


def test_it_removes_the_files_already_written_when_the_database_write_fails(
    users, grant, monkeypatch
):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(VoucherFile.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        create(
            users["school_operator"], grant, files=[upload("a.pdf", pdf()), upload("b.png", png())]
        )
    assert not Voucher.objects.exists() and not stored_files()


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        (12.5, "精确的十进制金额"),
        ("12.345", "最多保留两位小数"),
        (Decimal("0"), "必须大于零"),
        ("-1", "必须大于零"),
        ("abc", "不是有效的金额"),
    ],
)
def test_it_refuses_amounts_that_are_not_positive_yuan_with_two_places(
    users, grant, amount, reason
):
    with pytest.raises(ValidationError, match=reason):
        create(users["school_operator"], grant, amount=amount)
    assert not Voucher.objects.exists()


@pytest.mark.parametrize("students", [0, -3, True, 2.0, "5"])
def test_it_refuses_a_number_of_students_that_is_not_a_positive_integer(users, grant, students):
    with pytest.raises(ValidationError, match="资助学生人数"):
        create(users["school_operator"], grant, students=students)


def test_it_refuses_projects_of_another_stage_or_category_and_a_voucher_without_files(users, grant):
    higher = project("higher_national_grant", "本专科生国家助学金", "higher")
    local = project("vocational_local_aid", "中职地方资助", "vocational", Category.LOCAL)
    operator = users["school_operator"]
    with pytest.raises(ValidationError, match="学段"):
        create(operator, grant, project=higher)
    with pytest.raises(ValidationError, match="国家资助项目"):
        create(operator, grant, project=local)
    with pytest.raises(ValidationError, match="至少上传一个"):
        create(operator, grant, files=[])


def test_only_the_schools_own_users_record_vouchers(users, grant):
    for username in ("county_operator", "neighbour_school_operator"):
        with pytest.raises(PermissionDenied):
            create(users[username], grant, school=users["school_operator"].unit)
    assert not Voucher.objects.exists()


def test_delete_removes_the_voucher_and_its_files_and_is_audited(
    users, grant, django_capture_on_commit_callbacks
):
    voucher = make_voucher(users["school_operator"], files=[upload("a.pdf", pdf())])
    other = make_voucher(users["school_operator"], files=[upload("b.png", png())])
    assert len(stored_files()) == 2
    with pytest.raises(PermissionDenied):
        voucher_delete(voucher=voucher, actor=users["county_operator"])

    pk = voucher.pk
    with django_capture_on_commit_callbacks(execute=True):
        voucher_delete(voucher=voucher, actor=users["school_operator"])

    assert list(Voucher.objects.values_list("pk", flat=True)) == [other.pk]
    assert [p.suffix for p in stored_files()] == [".png"]
    event = AuditEvent.objects.get(action="vouchers.delete")
    assert event.object_id == str(pk) and event.detail["files"][0]["name"] == "a.pdf"
