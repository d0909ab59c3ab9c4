"""Sessions read through the shared cache (zizhu.accounts.sessions, on when ZIZHU_CACHE_URL
is set): a signed-in page reads no session row; the database stays the record; a sign-out
ends the session at once; a cache that fails costs nothing but the saving. The cache here is
a local-memory one (one test process); the engine sees only Django's cache API."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.conftest import sign_in
from tests.accounts.test_settings_env import SETUP, run
from zizhu.accounts import sessions


@pytest.fixture
def cached_sessions(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "s"},
    }
    settings.SESSION_CACHE_ALIAS = "sessions"
    settings.SESSION_ENGINE = "zizhu.accounts.sessions"
    caches["sessions"].clear()
    yield caches["sessions"]
    caches["sessions"].clear()


class Broken:
    """A cache whose server cannot be reached."""

    def get(self, *args, **kwargs):
        raise ConnectionError("cache down")

    set = add = delete = get


def session_queries(client, path: str = "/jobs/") -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_page_reads_the_session_from_the_cache(cached_sessions, client, users):
    assert sign_in(client, "county_operator").status_code == 302
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # the record
    assert cached_sessions.get(sessions.KEY_PREFIX + key) is not None
    assert session_queries(client) == []


def test_without_the_cache_the_page_reads_the_table(settings, client, users):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert sign_in(client, "county_operator").status_code == 302
    assert len(session_queries(client)) == 1


def test_a_copy_lives_a_few_minutes_at_most(cached_sessions, client, users, monkeypatch):
    seen = []
    original = cached_sessions.set
    monkeypatch.setattr(
        cached_sessions,
        "set",
        lambda key, value, timeout: seen.append(timeout) or original(key, value, timeout),
    )
    assert sign_in(client, "county_operator").status_code == 302
    assert seen and max(seen) == sessions.CACHE_SECONDS == 300


def test_a_lost_copy_is_read_from_the_table_again(cached_sessions, client, users):
    assert sign_in(client, "county_operator").status_code == 302
    cached_sessions.clear()
    assert len(session_queries(client)) == 1
    assert session_queries(client) == []  # and cached again


def test_sign_out_ends_the_session_for_the_old_cookie(cached_sessions, client, users):
    assert sign_in(client, "county_operator").status_code == 302
    key = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    assert cached_sessions.get(sessions.KEY_PREFIX + key) == sessions.GONE  # a tombstone
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # an old cookie, replayed
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deactivated_account_is_out_at_once_despite_the_copy(cached_sessions, client, users):
    assert sign_in(client, "county_operator").status_code == 302
    users["county_operator"].is_active = False
    users["county_operator"].save(update_fields=["is_active"])
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_failing_cache_falls_back_to_the_table(cached_sessions, client, users, monkeypatch):
    assert sign_in(client, "county_operator").status_code == 302
    monkeypatch.setattr(sessions, "caches", {"sessions": Broken()})
    assert len(session_queries(client)) == 1  # served, from the table
    client.post("/accounts/logout/")  # and the sign-out still ends it
    response = client.get("/jobs/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_failing_cache_does_not_stop_a_sign_in(cached_sessions, client, users, monkeypatch):
    monkeypatch.setattr(sessions, "caches", {"sessions": Broken()})
    assert sign_in(client, "county_operator").status_code == 302
    assert client.get("/jobs/").status_code == 200


def test_the_cache_url_turns_the_engine_on(tmp_path):
    show = f"{SETUP}; from django.conf import settings; print(settings.SESSION_ENGINE)"
    assert run(["-c", show], tmp_path).stdout.strip() == "django.contrib.sessions.backends.db"
    on = run(["-c", show], tmp_path, ZIZHU_CACHE_URL="redis://127.0.0.1:6379/0")
    assert on.stdout.strip() == "zizhu.accounts.sessions", on.stderr


def test_a_copy_that_cannot_be_written_at_sign_in_leaves_none(
    cached_sessions, client, users, monkeypatch
):
    """The sign-in's copy fails (a timeout): no copy of the session as it was before the
    sign-in may remain, or the next page would be the sign-in page."""

    def failing_set(*args, **kwargs):
        raise TimeoutError("cache too slow")

    monkeypatch.setattr(cached_sessions, "set", failing_set)
    assert sign_in(client, "county_operator").status_code == 302
    key = client.cookies["sessionid"].value
    assert cached_sessions.get(sessions.KEY_PREFIX + key) is None
    assert len(session_queries(client)) == 1  # signed in, read from the table
    assert cached_sessions.get(sessions.KEY_PREFIX + key)["_auth_user_id"]  # filled by the read


def test_a_save_that_cannot_write_its_copy_drops_the_old_one(
    cached_sessions, client, users, monkeypatch
):
    assert sign_in(client, "county_operator").status_code == 302
    key = client.cookies["sessionid"].value
    store = sessions.SessionStore(key)
    store["note"] = "newer"
    monkeypatch.setattr(
        cached_sessions, "set", lambda *a, **k: (_ for _ in ()).throw(TimeoutError())
    )
    store.save()
    assert cached_sessions.get(sessions.KEY_PREFIX + key) is None
    assert sessions.SessionStore(key).load()["note"] == "newer"  # from the table


def test_a_read_before_the_sign_out_cannot_put_its_copy_back(cached_sessions, client, users):
    assert sign_in(client, "county_operator").status_code == 302
    key = client.cookies["sessionid"].value
    cached_sessions.clear()
    before = sessions.SessionStore(key)
    data = before.load()  # read from the table just before the sign-out…
    client.post("/accounts/logout/")
    before._copy(data, 300, fill=True)  # …and filling the cache just after it
    assert cached_sessions.get(sessions.KEY_PREFIX + key) == sessions.GONE
    assert sessions.SessionStore(key).load() == {}
