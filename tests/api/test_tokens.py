"""Personal API tokens: made on the security page or by `manage.py api_token`, stored as a
digest, expiring, revocable, every use audited with the token's id; browser sessions work with
CSRF; the rate limit answers 429 with Retry-After."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import login_as
from zizhu.api.models import ApiToken
from zizhu.api.services import api_token_revoke, digest
from zizhu.audit.models import AuditEvent


def test_it_prints_a_token_once_and_keeps_only_its_digest(users, api):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "county_operator", "--days", "7", stdout=out, stderr=err)
    value = out.getvalue().strip()
    token = ApiToken.objects.get(user=users["county_operator"])
    assert value.startswith(f"zz_{token.prefix}_")
    assert token.digest == digest(value) and value not in token.digest
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert api(value, "get", "/api/v1/units/").status_code == 200


def test_it_refuses_unknown_expired_and_revoked_tokens(users, token, api):
    made = token("county_operator")
    assert api(made.value, "get", "/api/v1/units/").status_code == 200
    assert api(made.value + "x", "get", "/api/v1/units/").status_code == 401
    assert api("zz_000000000000_nothing", "get", "/api/v1/units/").status_code == 401
    api_token_revoke(token=made.token, actor=users["county_operator"])
    response = api(made.value, "get", "/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    expired = token("county_operator")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now())
    assert api(expired.value, "get", "/api/v1/units/").status_code == 401


def test_it_stops_working_when_the_user_is_deactivated(users, token, api):
    made = token("county_operator")
    users["county_operator"].is_active = False
    users["county_operator"].save()
    assert api(made.value, "get", "/api/v1/units/").status_code == 401


def test_it_audits_every_use_with_the_token_id(users, token, api):
    made = token("county_operator")
    api(made.value, "get", "/api/v1/units/")
    api(made.value, "get", "/api/v1/units/9999999999/")
    events = AuditEvent.objects.filter(action="api.request").order_by("pk")
    assert [(e.detail["token"], e.detail["path"], e.detail["status"]) for e in events] == [
        (made.token.pk, "/api/v1/units/", 200),
        (made.token.pk, "/api/v1/units/9999999999/", 404),
    ]
    assert {e.actor_username for e in events} == {"county_operator"}


def test_admin_roles_get_no_business_data(token, api):
    for username in ("sysadmin", "secadmin", "auditor"):
        made = token(username)
        assert api(made.value, "get", "/api/v1/filings/").status_code == 403
        assert api(made.value, "get", "/api/v1/units/").status_code == 403


def test_a_user_makes_lists_and_revokes_tokens_on_the_security_page(client, users):
    login_as(client, users["school_operator"])
    page = client.post("/account/security/", {"name": "财务系统", "days": "30"})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=users["school_operator"])
    value = page.context["created"].value
    assert value in page.content.decode() and "no-store" in page["Cache-Control"]
    listed = client.get("/account/security/").content.decode()
    assert "财务系统" in listed and value not in listed
    client.post(f"/account/security/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token_revoke", object_id=str(token.pk)).exists()


def test_a_user_cannot_revoke_another_users_token(client, users, token):
    made = token("county_operator")
    login_as(client, users["school_operator"])
    assert client.post(f"/account/security/tokens/{made.token.pk}/revoke/").status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None


def test_a_browser_session_works_and_its_writes_need_the_csrf_token(users):
    browser = Client(enforce_csrf_checks=True)
    login_as(browser, users["county_operator"])
    assert browser.get("/api/v1/units/").status_code == 200
    refused = browser.post("/api/v1/filings/", {}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    browser.get("/account/security/")  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/filings/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 400  # past the CSRF check, to the validation


def test_it_throttles_per_token_with_retry_after(settings, token, api):
    settings.ZIZHU_API_RATE = 3
    first, second = token("county_operator"), token("county_operator")
    codes = [api(first.value, "get", "/api/v1/units/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = api(first.value, "get", "/api/v1/units/")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    assert limited.json()["error"]["code"] == "throttled"
    # another token has its own allowance
    assert api(second.value, "get", "/api/v1/units/").status_code == 200
