"""Records outlive their actor: deleting a user leaves that user's records as they were."""

from tests.conftest import login_as
from zizhu.audit.models import AuditEvent
from zizhu.audit.services import audit_record

# AuditEvent.actor is on_delete=DO_NOTHING without a database constraint: deleting a user must
# not UPDATE that user's records, which the append-only trigger would refuse.


def test_it_keeps_the_records_of_a_deleted_user(users):
    user = users["county_supervisor"]
    event = audit_record(actor=user, action="filing.approve")

    user.delete()

    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.actor_username, kept.unit_code, kept.action) == (
        "county_supervisor",
        "610112",
        "filing.approve",
    )


def test_it_lets_the_system_admin_delete_a_user_who_has_signed_in(client, users):
    target = users["county_supervisor"]
    audit_record(actor=target, action="login")
    login_as(client, users["sysadmin"])

    response = client.post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not type(target).objects.filter(pk=target.pk).exists()
    assert AuditEvent.objects.filter(action="login", actor_username="county_supervisor").exists()
    assert AuditEvent.objects.filter(action="admin.delete", actor_username="sysadmin").exists()
