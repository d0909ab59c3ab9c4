"""The voucher edit page (支付凭证上传 → 修改) and the filing deadline on the school's pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from tests.conftest import login_as
from tests.vouchers.factories import make_voucher
from tests.vouchers.files import HOSTILE, jpeg, pdf, png, snapshot, upload
from zizhu.audit.models import AuditEvent
from zizhu.funds.models import Filing, FilingStatus
from zizhu.funds.services import deadline_set
from zizhu.vouchers.models import Voucher

LIST, NEW = "/funds/vouchers/", "/funds/vouchers/new/"


def edit_url(voucher: Voucher) -> str:
    return f"/funds/vouchers/{voucher.pk}/edit/"


def edit_form(voucher: Voucher, **overrides) -> dict:
    data = {
        "students": str(voucher.students),
        "amount": str(voucher.amount),
        "note": voucher.note,
        "version": str(voucher.version),
    }
    data.update(overrides)
    return data


@pytest.fixture
def voucher(users, grant) -> Voucher:
    """School 3661000001's voucher with a.pdf and b.png."""
    files = [upload("a.pdf", pdf()), upload("b.png", png())]
    return make_voucher(users["school_operator"], files=files)


def test_the_school_operator_edits_students_amount_and_files(client, users, voucher):
    login_as(client, users["school_operator"])
    page = client.get(edit_url(voucher))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["students"] == 3 and form.initial["version"] == 1
    assert [label for _pk, label in form.fields["remove"].choices] == ["a.pdf", "b.png"]
    assert edit_url(voucher) in client.get(LIST).content.decode()

    a_pdf = voucher.files.get(name="a.pdf")
    response = client.post(
        edit_url(voucher),
        edit_form(
            voucher,
            students="4",
            amount="9200.00",
            remove=[a_pdf.pk],
            files=[upload("c.jpg", jpeg())],
        ),
    )

    assert response.status_code == 302 and response["Location"] == LIST
    fresh = Voucher.objects.get(pk=voucher.pk)
    assert (fresh.students, fresh.amount, fresh.version) == (4, Decimal("9200.00"), 2)
    assert sorted(fresh.files.values_list("name", flat=True)) == ["b.png", "c.jpg"]
    event = AuditEvent.objects.get(action="vouchers.update")
    assert event.detail["after"]["amount"] == "9200.00"
    assert event.detail["files_removed"][0]["name"] == "a.pdf"


def test_a_stale_form_is_refused_and_the_page_read_again(client, users, voucher):
    login_as(client, users["school_operator"])
    first = edit_form(voucher, students="5")
    assert client.post(edit_url(voucher), edit_form(voucher, students="4")).status_code == 302
    before = snapshot(voucher)

    response = client.post(edit_url(voucher), {**first, "files": [upload("c.pdf", pdf())]})

    assert response.status_code == 302 and response["Location"] == edit_url(voucher)
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown[-1] == "该支付凭证已被他人修改，请刷新后重新填写"
    assert snapshot(voucher) == before
    assert client.get(edit_url(voucher)).context["form"].initial["version"] == 2


def test_a_hostile_file_on_edit_saves_nothing_and_names_the_file(client, users, voucher):
    login_as(client, users["school_operator"])
    name, data, reason = HOSTILE["svg_named_png"]
    before = snapshot(voucher)

    response = client.post(
        edit_url(voucher),
        edit_form(
            voucher,
            students="7",
            remove=[voucher.files.get(name="a.pdf").pk],
            files=[upload("好的.pdf", pdf()), upload(name, data)],
        ),
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert f"第 2 个文件“{name}”" in errors and reason in errors
    assert snapshot(voucher) == before


def test_removing_every_file_without_adding_one_is_refused(client, users, voucher):
    login_as(client, users["school_operator"])
    everything = list(voucher.files.values_list("pk", flat=True))
    response = client.post(edit_url(voucher), edit_form(voucher, remove=everything))
    assert response.status_code == 200
    assert "至少要保留一个文件" in " ".join(response.context["form"].non_field_errors())
    assert voucher.files.count() == 2


def test_another_schools_voucher_is_a_404(client, users, voucher):
    login_as(client, users["neighbour_school_operator"])
    before = snapshot(voucher)
    assert client.get(edit_url(voucher)).status_code == 404
    assert client.post(edit_url(voucher), edit_form(voucher, students="1")).status_code == 404
    assert snapshot(voucher) == before
    denied = AuditEvent.objects.filter(action="access.denied")
    assert {e.detail["reason"] for e in denied} == {"out_of_scope"}


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("county_operator", 403),  # sees the school, is not its operator
        ("county_supervisor", 403),  # sees the school, may not write at all
        ("neighbour_operator", 404),  # outside the scope: never learns the voucher exists
    ],
)
def test_authorities_cannot_edit(client, users, voucher, username, status):
    login_as(client, users[username])
    before = snapshot(voucher)
    assert client.get(edit_url(voucher)).status_code == status
    assert client.post(edit_url(voucher), edit_form(voucher, students="1")).status_code == status
    assert snapshot(voucher) == before
    assert not AuditEvent.objects.filter(action="vouchers.update").exists()


def test_a_locked_filing_refuses_upload_edit_and_delete_with_a_message(
    client, users, grant, voucher
):
    Filing.objects.create(
        unit=users["school_operator"].unit,
        year=2025,
        project=grant,
        status=FilingStatus.SUBMITTED,
    )
    deadline_set(
        unit=users["county_operator"].unit,
        year=2025,
        project=grant,
        due_at=timezone.now() - timedelta(days=1),
        actor=users["county_operator"],
    )
    login_as(client, users["school_operator"])
    before = snapshot(voucher)

    response = client.post(edit_url(voucher), edit_form(voucher, students="9"))
    assert response.status_code == 200
    assert "已锁定" in " ".join(response.context["form"].non_field_errors())

    upload_form = {
        "year": "2025",
        "project": grant.code,
        "students": "1",
        "amount": "1.00",
        "files": [upload("a.pdf", pdf())],
        "form_key": "6c1d1f9e-6f2a-4f55-8a53-2d1b8e1f0a01",
    }
    response = client.post(NEW, upload_form)
    assert response.status_code == 200
    assert "已锁定" in " ".join(response.context["form"].non_field_errors())

    response = client.post(f"/funds/vouchers/{voucher.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == LIST
    assert "已锁定" in " ".join(str(m) for m in get_messages(response.wsgi_request))

    assert snapshot(voucher) == before and Voucher.objects.count() == 1
