"""Sessions: a new key at sign-in, an idle timeout of 30 minutes and an absolute one of 12 hours.

The session policy middleware reads two timestamps the login signal stores in the session;
the tests move them into the past instead of waiting.
"""

import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD
from zizhu.accounts.signals import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from zizhu.audit.models import AuditEvent

MINUTE = 60
HOUR = 60 * MINUTE


def age_session(client, *, idle: float, since_login: float) -> None:
    """Make the last request `idle` seconds old and the sign-in `since_login` seconds old."""
    now = time.time()
    session = client.session
    session[SESSION_LAST_SEEN] = now - idle
    session[SESSION_LOGIN_AT] = now - since_login
    session.save()


@pytest.fixture
def signed_in(client, users):
    assert sign_in(client, "county_operator").status_code == 302
    return client


def test_it_uses_the_documented_limits():
    assert settings.ZIZHU_IDLE_TIMEOUT.total_seconds() == 30 * MINUTE
    assert settings.ZIZHU_ABSOLUTE_TIMEOUT.total_seconds() == 12 * HOUR


def test_it_gives_the_session_a_new_key_at_sign_in(client, users):
    planted = client.session  # a key an attacker could have fixed in the victim's browser
    planted["planted"] = True
    planted.save()

    sign_in(client, "county_operator")

    session = client.session
    assert session.session_key != planted.session_key
    assert session[SESSION_KEY] == str(users["county_operator"].pk)
    assert not Session.objects.filter(session_key=planted.session_key).exists()


def test_it_gives_an_admin_a_new_key_before_the_second_factor(client, users):
    planted = client.session
    planted.save()

    response = sign_in(client, "auditor")

    assert response["Location"] == "/accounts/login/otp/"
    assert client.session.session_key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()


def test_it_records_the_sign_in_time_in_the_session(signed_in):
    session = signed_in.session
    assert abs(session[SESSION_LOGIN_AT] - time.time()) < 60
    assert session[SESSION_LAST_SEEN] == session[SESSION_LOGIN_AT]


def test_it_keeps_an_active_session_within_both_limits(signed_in):
    age_session(signed_in, idle=29 * MINUTE, since_login=11 * HOUR + 59 * MINUTE)

    assert signed_in.get("/").status_code == 200
    # the request counts as activity: the idle clock starts again
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] < 60
    assert signed_in.get("/").status_code == 200


def test_it_signs_out_after_30_idle_minutes(signed_in):
    age_session(signed_in, idle=31 * MINUTE, since_login=31 * MINUTE)

    response = signed_in.get("/units/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/units/"
    assert SESSION_KEY not in signed_in.session
    assert signed_in.get("/").status_code == 302
    event = AuditEvent.objects.get(action="session.idle_timeout")
    assert event.actor_username == "county_operator"
    assert AuditEvent.objects.filter(action="logout", actor_username="county_operator").exists()


def test_it_explains_the_idle_sign_out_in_chinese(signed_in):
    age_session(signed_in, idle=31 * MINUTE, since_login=31 * MINUTE)
    response = signed_in.get("/", follow=True)
    assert "长时间未操作，请重新登录。" in response.content.decode()


def test_it_signs_out_after_12_hours_even_when_active(signed_in):
    age_session(signed_in, idle=1 * MINUTE, since_login=12 * HOUR + 1 * MINUTE)

    response = signed_in.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"
    assert SESSION_KEY not in signed_in.session
    event = AuditEvent.objects.get(action="session.absolute_timeout")
    assert event.actor_username == "county_operator"


def test_it_tells_htmx_to_go_to_the_sign_in_page(signed_in):
    age_session(signed_in, idle=31 * MINUTE, since_login=31 * MINUTE)

    response = signed_in.get("/units/", headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == "/accounts/login/?next=/units/"


def test_it_signs_in_again_after_a_timeout(signed_in):
    age_session(signed_in, idle=31 * MINUTE, since_login=31 * MINUTE)
    signed_in.get("/")

    assert sign_in(signed_in, "county_operator").status_code == 302
    assert signed_in.get("/").status_code == 200


def test_it_goes_on_to_the_page_asked_for_after_sign_in(client, users):
    response = client.post(
        "/accounts/login/",
        {"username": "county_operator", "password": PASSWORD, "next": "/units/610112/"},
    )
    assert response["Location"] == "/units/610112/"


def test_it_ignores_a_next_page_on_another_site(client, users):
    response = client.post(
        "/accounts/login/",
        {"username": "county_operator", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_the_view_reads_the_loaded_user_without_its_lazy_wrappers(signed_in, client):
    from django.utils.functional import LazyObject

    from zizhu.accounts.models import User

    request = client.get("/jobs/").wsgi_request
    assert type(request.user) is User and not isinstance(request.user, LazyObject)
    assert request.user.username == "county_operator" and request.user.is_verified() is False
    anonymous = client.__class__().get("/accounts/login/").wsgi_request.user
    assert not isinstance(anonymous, LazyObject) and not anonymous.is_authenticated


def test_an_active_session_is_written_once_a_thirtieth_of_the_idle_timeout(signed_in):
    """Each write of the last-seen time is a session save (the table and the cache): a user
    going from page to page writes it once a minute at the default 30-minute timeout."""
    age_session(signed_in, idle=50, since_login=HOUR)
    before = signed_in.session[SESSION_LAST_SEEN]
    assert signed_in.get("/").status_code == 200
    assert signed_in.session[SESSION_LAST_SEEN] == before
    age_session(signed_in, idle=61, since_login=HOUR)
    assert signed_in.get("/").status_code == 200
    assert time.time() - signed_in.session[SESSION_LAST_SEEN] < 5
