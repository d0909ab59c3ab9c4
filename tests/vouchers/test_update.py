"""voucher_update, and the filing deadline that freezes a school's vouchers of a year and
project (voucher_create / voucher_update / voucher_delete)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.vouchers.factories import make_voucher
from tests.vouchers.files import HOSTILE, jpeg, pdf, png, snapshot, stored_files, upload
from zizhu.audit.models import AuditEvent
from zizhu.funds.models import Filing, FilingStatus
from zizhu.funds.services import deadline_set, filing_unlock
from zizhu.vouchers.models import Voucher, VoucherFile
from zizhu.vouchers.services import (
    StaleVoucher,
    voucher_create,
    voucher_delete,
    voucher_update,
)


def update(voucher, actor, **overrides):
    values = {
        "voucher": voucher,
        "version": 1,
        "students": voucher.students,
        "amount": voucher.amount,
        "actor": actor,
    }
    values.update(overrides)
    return voucher_update(**values)


@pytest.fixture
def two_files(users, grant) -> Voucher:
    """A voucher of school 3661000001 with a.pdf and b.png, 3 students, 6900.00 yuan."""
    files = [upload("a.pdf", pdf()), upload("b.png", png())]
    return make_voucher(users["school_operator"], files=files)


# --- voucher_update ------------------------------------------------------------------------


def test_it_changes_students_amount_note_and_files_and_audits_the_change(
    users, two_files, django_capture_on_commit_callbacks
):
    a_pdf = two_files.files.get(name="a.pdf")
    a_path = Path(a_pdf.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        voucher = update(
            two_files,
            users["school_operator"],
            students=5,
            amount="7000.50",
            note="更正人数",
            add_files=[upload("c.jpg", jpeg())],
            remove_files=[a_pdf.pk],
        )

    fresh = Voucher.objects.get(pk=two_files.pk)
    assert (fresh.students, fresh.amount, fresh.note, fresh.version) == (
        5,
        Decimal("7000.50"),
        "更正人数",
        2,
    )
    assert voucher.version == 2
    assert sorted(fresh.files.values_list("name", flat=True)) == ["b.png", "c.jpg"]
    # the removed file left the storage; the added one is stored under a random name
    assert not a_path.exists()
    assert sorted(p.suffix for p in stored_files()) == [".jpg", ".png"]
    event = AuditEvent.objects.get(action="vouchers.update")
    assert event.object_id == str(two_files.pk)
    assert event.actor_id == users["school_operator"].pk
    assert event.detail["before"] == {"students": 3, "amount": "6900.00", "note": ""}
    assert event.detail["after"] == {"students": 5, "amount": "7000.50", "note": "更正人数"}
    assert [f["name"] for f in event.detail["files_added"]] == ["c.jpg"]
    assert [f["name"] for f in event.detail["files_removed"]] == ["a.pdf"]


def test_it_refuses_a_save_based_on_a_version_someone_else_has_saved_since(users, two_files):
    operator = users["school_operator"]
    update(two_files, operator, students=4)  # the other tab's save: version 1 → 2
    before = snapshot(two_files)

    with pytest.raises(StaleVoucher, match="已被他人修改"):
        update(two_files, operator, students=9, add_files=[upload("c.pdf", pdf())])

    assert snapshot(two_files) == before
    assert AuditEvent.objects.filter(action="vouchers.update").count() == 1


@pytest.mark.parametrize("case", ["png_then_html", "exe_named_pdf", "pdf_js"])
def test_a_hostile_added_file_refuses_the_whole_edit(users, two_files, case):
    name, data, reason = HOSTILE[case]
    before = snapshot(two_files)

    with pytest.raises(ValidationError) as raised:
        update(
            two_files,
            users["school_operator"],
            students=8,
            add_files=[upload("好的.pdf", pdf()), upload(name, data)],
            remove_files=[two_files.files.get(name="a.pdf").pk],
        )

    message = raised.value.messages[0]
    assert f"第 2 个文件“{name}”" in message and reason in message
    assert snapshot(two_files) == before
    assert not AuditEvent.objects.filter(action="vouchers.update").exists()


def test_it_removes_the_files_it_wrote_when_the_database_write_fails(users, two_files, monkeypatch):
    before = snapshot(two_files)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Voucher.objects, "filter", fail)  # the row update after the files
    with pytest.raises(RuntimeError):
        update(two_files, users["school_operator"], add_files=[upload("c.png", png())])
    monkeypatch.undo()

    assert snapshot(two_files) == before


def test_at_least_one_file_remains_and_only_the_vouchers_own_files_are_removed(users, two_files):
    operator = users["school_operator"]
    everything = list(two_files.files.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="至少要保留一个文件"):
        update(two_files, operator, remove_files=everything)
    other = make_voucher(operator, files=[upload("x.pdf", pdf())])
    with pytest.raises(ValidationError, match="不属于该支付凭证"):
        update(two_files, operator, remove_files=[other.files.get().pk])
    # replacing every file with a new one is fine
    update(two_files, operator, remove_files=everything, add_files=[upload("d.pdf", pdf())])
    assert list(two_files.files.values_list("name", flat=True)) == ["d.pdf"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"students": 0}, "资助学生人数"),
        ({"students": "5"}, "资助学生人数"),
        ({"amount": "12.345"}, "最多保留两位小数"),
        ({"amount": "0"}, "必须大于零"),
        ({"note": "长" * 201}, "备注"),
    ],
)
def test_it_checks_the_fields_as_the_upload_does(users, two_files, change, reason):
    before = snapshot(two_files)
    with pytest.raises(ValidationError, match=reason):
        update(two_files, users["school_operator"], **change)
    assert snapshot(two_files) == before


def test_only_the_schools_own_users_edit_its_vouchers(users, two_files):
    before = snapshot(two_files)
    for username in ("county_operator", "neighbour_school_operator"):
        with pytest.raises(PermissionDenied):
            update(two_files, users[username], students=1)
    assert snapshot(two_files) == before


# --- the filing deadline -------------------------------------------------------------------


@pytest.fixture
def school_filing(tree, grant) -> Filing:
    """School 3661000001's submitted filing of 2025 × 中职国家助学金 (county 610112 above)."""
    return Filing.objects.create(
        unit=tree["3661000001"], year=2025, project=grant, status=FilingStatus.SUBMITTED
    )


def pass_deadline(users, grant) -> None:
    """The county sets yesterday as its schools' deadline: their submitted filings lock."""
    yesterday = timezone.now() - timedelta(days=1)
    deadline_set(
        unit=users["county_operator"].unit,
        year=2025,
        project=grant,
        due_at=yesterday,
        actor=users["county_operator"],
    )


def new_voucher(user, grant, year=2025):
    return voucher_create(
        school=user.unit,
        year=year,
        project=grant,
        students=1,
        amount=Decimal("100.00"),
        files=[upload("a.pdf", pdf())],
        actor=user,
    )


def test_a_locked_filing_freezes_the_schools_vouchers_of_its_year_and_project(
    users, grant, waiver, school_filing
):
    operator = users["school_operator"]
    voucher = make_voucher(operator, files=[upload("a.pdf", pdf())])
    pass_deadline(users, grant)
    assert Filing.objects.get(pk=school_filing.pk).status == FilingStatus.LOCKED
    before = snapshot(voucher)

    with pytest.raises(ValidationError, match="需由上级单位解锁后才能上传支付凭证"):
        new_voucher(operator, grant)
    with pytest.raises(ValidationError, match="需由上级单位解锁后才能修改支付凭证"):
        update(voucher, operator, students=9, add_files=[upload("b.png", png())])
    with pytest.raises(ValidationError, match="需由上级单位解锁后才能删除支付凭证"):
        voucher_delete(voucher=voucher, actor=operator)

    assert snapshot(voucher) == before
    assert Voucher.objects.count() == 1
    # another year, another project: no filing, so no lock
    new_voucher(operator, grant, year=2024)
    new_voucher(operator, waiver)


def test_a_filing_past_its_deadline_freezes_the_vouchers_even_before_the_lock_task_ran(
    users, grant, school_filing
):
    operator = users["school_operator"]
    voucher = make_voucher(operator)
    pass_deadline(users, grant)
    # a draft is not locked by the deadline, but its fields are frozen all the same
    Filing.objects.filter(pk=school_filing.pk).update(status=FilingStatus.DRAFT)
    with pytest.raises(ValidationError, match="锁定"):
        update(voucher, operator, students=2)


def test_an_unlock_by_the_county_reopens_the_vouchers(users, grant, school_filing):
    operator = users["school_operator"]
    voucher = make_voucher(operator)
    pass_deadline(users, grant)
    filing_unlock(
        filing=Filing.objects.get(pk=school_filing.pk),
        until=timezone.now() + timedelta(hours=2),
        reason="补传凭证",
        actor=users["county_operator"],
    )

    update(voucher, operator, students=2)
    new_voucher(operator, grant)
    voucher_delete(voucher=voucher, actor=operator)
    assert Voucher.objects.count() == 1


def test_without_a_filing_a_passed_deadline_does_not_touch_the_vouchers(users, grant):
    operator = users["school_operator"]
    voucher = make_voucher(operator)
    pass_deadline(users, grant)  # the school never filed
    update(voucher, operator, students=2)
    new_voucher(operator, grant)
    voucher_delete(voucher=voucher, actor=operator)
    assert not Filing.objects.exists() and Voucher.objects.count() == 1
    assert VoucherFile.objects.count() == 1
