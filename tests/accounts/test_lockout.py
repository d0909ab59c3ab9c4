"""Lockout per username: 5 failures lock the account for 15 minutes, whatever the address.

Failures from one shared office address (NAT) never lock out the other users behind it.
Every step is in the audit trail; the security administrator can lift a lockout early.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from tests.accounts.conftest import sign_in
from tests.conftest import login_as
from zizhu.audit.models import AuditEvent

MINUTE = 60
OFFICE_IP = "10.20.30.40"
LOCKED_TEXT = "登录失败次数过多，该账号已被锁定 15 分钟"


def fail(client, username: str, times: int, ip: str = OFFICE_IP):
    return [sign_in(client, username, "wrong-password", REMOTE_ADDR=ip) for _ in range(times)]


def move_attempts_back(username: str, minutes: int) -> None:
    """Pretend the failures happened `minutes` ago (axes measures the cool-off from them)."""
    attempt = AccessAttempt.objects.get(username=username)
    attempt.attempt_time -= timedelta(minutes=minutes)
    attempt.save(update_fields=["attempt_time"])


def test_it_uses_the_documented_policy():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * MINUTE
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_it_shows_the_form_again_for_the_first_four_failures(client, users):
    responses = fail(client, "county_operator", 4)
    assert [r.status_code for r in responses] == [200] * 4
    assert sign_in(client, "county_operator").status_code == 302  # still allowed in


def test_it_locks_the_username_at_the_fifth_failure(client, users):
    *_, fifth = fail(client, "county_operator", 5)
    assert fifth.status_code == 429
    assert LOCKED_TEXT in fifth.content.decode()


def test_it_refuses_the_right_password_while_locked(client, users):
    fail(client, "county_operator", 5)

    sixth = sign_in(client, "county_operator", REMOTE_ADDR=OFFICE_IP)

    assert sixth.status_code == 429
    assert "账号已锁定" in sixth.content.decode()
    assert client.get("/").status_code == 302  # not signed in


def test_it_locks_from_any_address(client, users):
    fail(client, "county_operator", 5)
    assert sign_in(client, "county_operator", REMOTE_ADDR="192.0.2.7").status_code == 429


def test_it_still_refuses_before_the_cool_off_ends(client, users):
    fail(client, "county_operator", 5)
    move_attempts_back("county_operator", 14)
    assert sign_in(client, "county_operator", REMOTE_ADDR=OFFICE_IP).status_code == 429


def test_it_lets_the_right_password_in_after_the_cool_off(client, users):
    fail(client, "county_operator", 5)
    move_attempts_back("county_operator", 16)

    response = sign_in(client, "county_operator", REMOTE_ADDR=OFFICE_IP)

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_it_does_not_lock_out_others_behind_the_same_address(client, users):
    fail(client, "county_operator", 5)

    other = Client()
    response = sign_in(other, "county_supervisor", REMOTE_ADDR=OFFICE_IP)

    assert response.status_code == 302
    assert other.get("/").status_code == 200


def test_it_counts_failures_per_username_not_per_address(client, users):
    # eight failures from one address, which would lock it if failures were counted by address
    fail(client, "county_operator", 4)
    fail(client, "county_supervisor", 4)
    assert sign_in(client, "county_supervisor", REMOTE_ADDR=OFFICE_IP).status_code == 302


def test_it_forgets_earlier_failures_after_a_successful_sign_in(client, users):
    fail(client, "county_operator", 4)
    sign_in(client, "county_operator", REMOTE_ADDR=OFFICE_IP)
    client.post("/accounts/logout/")

    responses = fail(client, "county_operator", 4)

    assert [r.status_code for r in responses] == [200] * 4


def test_it_audits_failures_the_lockout_and_the_success(client, users):
    fail(client, "county_operator", 5)
    move_attempts_back("county_operator", 16)
    sign_in(client, "county_operator", REMOTE_ADDR=OFFICE_IP)

    events = AuditEvent.objects.filter(actor_username="county_operator").order_by("id")
    *failures, success = [(e.action, e.result) for e in events]
    # axes announces the lockout while the fifth failure is being recorded, so the two
    # records of that attempt come in either order
    assert sorted(failures) == [("login", "failure")] * 5 + [("login.lockout", "denied")]
    assert success == ("login", "success")
    assert {e.ip for e in events} == {OFFICE_IP}
    assert events.last().actor == users["county_operator"]
    assert events.first().actor is None  # nobody is authenticated on a failure


def test_it_audits_failures_for_unknown_usernames_too(client, db):
    fail(client, "no_such_user", 1)
    event = AuditEvent.objects.get(action="login")
    assert (event.actor_username, event.result, event.actor) == ("no_such_user", "failure", None)


@pytest.fixture
def security_admin(users):
    """A client signed in as the security administrator (second factor passed)."""
    return login_as(Client(), users["secadmin"])


def test_it_lists_locked_accounts_for_the_security_admin(client, users, security_admin):
    fail(client, "county_operator", 5)

    response = security_admin.get("/security/")

    assert response.status_code == 200
    assert [a.username for a in response.context["locked"]] == ["county_operator"]


def test_it_lets_the_security_admin_unlock_an_account(client, users, security_admin):
    fail(client, "county_operator", 5)

    response = security_admin.post("/security/unlock/", {"username": "county_operator"})

    assert response.status_code == 302
    assert response["Location"] == "/security/"
    assert not AccessAttempt.objects.filter(username="county_operator").exists()
    event = AuditEvent.objects.get(action="login.unlock")
    assert (event.actor_username, event.result) == ("secadmin", "success")
    assert event.detail == {"username": "county_operator"}
    assert sign_in(client, "county_operator", REMOTE_ADDR=OFFICE_IP).status_code == 302


@pytest.mark.parametrize("username", ["county_operator", "sysadmin", "auditor"])
def test_it_refuses_the_unlock_to_other_roles(client, users, username):
    fail(Client(), "county_supervisor", 5)
    login_as(client, users[username])

    response = client.post("/security/unlock/", {"username": "county_supervisor"})

    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="county_supervisor").exists()
    assert not AuditEvent.objects.filter(action="login.unlock").exists()
    assert AuditEvent.objects.filter(action="access.denied", actor_username=username).exists()
