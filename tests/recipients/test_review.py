"""Operator → reviewer flow, locking and versions."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import login_as
from tests.recipients.factories import make_id, make_list
from zizhu.audit.models import AuditEvent
from zizhu.lib.tabular import TableError
from zizhu.recipients import services
from zizhu.recipients.models import RecipientList, Status


@pytest.fixture
def draft(users):
    return make_list(users["school_operator"].unit, 1, 2, actor=users["school_operator"])


def test_it_goes_from_draft_to_approved(users, draft):
    services.recipient_list_submit(recipient_list=draft, actor=users["school_operator"])
    approved = services.recipient_list_approve(recipient_list=draft, actor=users["school_reviewer"])
    assert approved.status == Status.APPROVED
    assert approved.reviewed_by == users["school_reviewer"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"recipients.import", "recipients.submit", "recipients.approve"} <= actions


def test_it_needs_a_comment_to_return_a_list(users, draft):
    services.recipient_list_submit(recipient_list=draft, actor=users["school_operator"])
    with pytest.raises(ValidationError):
        services.recipient_list_return(
            recipient_list=draft, comment=" ", actor=users["school_reviewer"]
        )
    returned = services.recipient_list_return(
        recipient_list=draft, comment="第2行金额有误", actor=users["school_reviewer"]
    )
    assert (returned.status, returned.review_comment) == (Status.RETURNED, "第2行金额有误")
    # a returned list can be edited and submitted again
    services.recipient_row_save(
        recipient_list=returned,
        actor=users["school_operator"],
        raw={"id_number": make_id(9), "name": "丙", "amount": "500"},
    )
    services.recipient_list_submit(recipient_list=returned, actor=users["school_operator"])


def test_it_locks_an_approved_list(users, draft):
    services.recipient_list_submit(recipient_list=draft, actor=users["school_operator"])
    services.recipient_list_approve(recipient_list=draft, actor=users["school_reviewer"])
    draft.refresh_from_db()
    with pytest.raises(ValidationError):
        services.recipient_row_save(
            recipient_list=draft,
            actor=users["school_operator"],
            raw={"id_number": make_id(9), "name": "丙", "amount": "500"},
        )
    with pytest.raises(ValidationError):
        services.recipient_row_delete(row=draft.rows.first(), actor=users["school_operator"])


def test_it_keeps_versions_and_supersedes_on_approval(users, draft):
    operator, reviewer = users["school_operator"], users["school_reviewer"]
    services.recipient_list_submit(recipient_list=draft, actor=operator)
    services.recipient_list_approve(recipient_list=draft, actor=reviewer)
    copy = services.recipient_list_new_version(recipient_list=draft, actor=operator)
    assert (copy.version, copy.status, copy.row_count) == (2, Status.DRAFT, 2)
    assert sorted(copy.rows.values_list("id_number", flat=True)) == [make_id(1), make_id(2)]
    with pytest.raises(ValidationError):  # only one open version at a time
        services.recipient_list_new_version(recipient_list=draft, actor=operator)
    services.recipient_row_delete(row=copy.rows.get(row_number=3), actor=operator)
    services.recipient_list_submit(recipient_list=copy, actor=operator)
    services.recipient_list_approve(recipient_list=copy, actor=reviewer)
    statuses = dict(RecipientList.objects.values_list("version", "status"))
    assert statuses == {1: Status.SUPERSEDED, 2: Status.APPROVED}
    assert RecipientList.objects.get(version=1).rows.count() == 2  # the old version is kept


def test_it_refuses_a_duplicate_id_in_a_single_row_change(users, draft):
    with pytest.raises(TableError):
        services.recipient_row_save(
            recipient_list=draft,
            actor=users["school_operator"],
            raw={"id_number": make_id(1), "name": "重复", "amount": "1"},
        )


def test_it_runs_the_review_through_the_pages(client, users, draft):
    login_as(client, users["school_operator"])
    client.post(f"/recipients/{draft.pk}/submit/")
    login_as(client, users["school_reviewer"])
    page = client.get(f"/recipients/{draft.pk}/").content.decode()
    assert make_id(1) in page  # the school sees full ID numbers
    assert "<th>姓名</th>" in page and "<th>名称</th>" not in page  # a person's, not a unit's
    client.post(f"/recipients/{draft.pk}/return/", {"comment": "请核对"})
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED


def test_it_masks_ids_for_authorities_and_counts_queries(
    client, users, draft, django_assert_max_num_queries
):
    login_as(client, users["county_operator"])
    with django_assert_max_num_queries(12):
        page = client.get(f"/recipients/{draft.pk}/").content.decode()
    assert make_id(1) not in page
    assert make_id(1)[:6] + "********" + make_id(1)[14:] in page
    make_list(users["school_operator"].unit, 3, 4, batch=2)
    with django_assert_max_num_queries(10):
        listing = client.get("/recipients/").content.decode()
    assert listing.count("/recipients/") >= 2
