"""A signed-in user is read with its unit in one query (zizhu.accounts.backends): every page
reads `user.unit` (menu, scope), which Django's own backend loads in a second query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.accounts.conftest import sign_in


def test_a_page_reads_the_user_and_its_unit_in_one_query(client, users):
    user = users["school_operator"]
    assert sign_in(client, user.username).status_code == 302
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/jobs/").status_code == 200
    sqls = [q["sql"] for q in captured.captured_queries]
    reads_user = [s for s in sqls if s.startswith('SELECT "accounts_user"."id"')]
    assert len(reads_user) == 1
    assert 'JOIN "units_unit"' in reads_user[0]
    assert not [s for s in sqls if s.startswith('SELECT "units_unit"') and '"id" =' in s]
    assert client.get("/jobs/").wsgi_request.user.unit == user.unit


def test_a_deactivated_user_is_signed_out(client, users):
    user = users["school_operator"]
    assert sign_in(client, user.username).status_code == 302
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/jobs/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _values(obj) -> list:
    return [getattr(obj, f.attname) for f in obj._meta.concrete_fields]


def test_the_precompiled_read_gives_what_the_orm_gives(users):
    """The user query is compiled once (user_with_unit): its values, converted as the ORM
    converts them (aware times and flags on SQLite too), are those of the ORM's own read."""
    from zizhu.accounts.backends import user_with_unit
    from zizhu.accounts.models import User

    user = users["school_operator"]
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    read = user_with_unit(user.pk)
    expected = User.objects.select_related("unit").get(pk=user.pk)
    assert _values(read) == _values(expected)
    assert read.last_login.tzinfo is not None and read.is_active is True
    assert _values(read.unit) == _values(expected.unit)
    with CaptureQueriesContext(connection) as captured:
        assert read.unit.code == user.unit.code  # cached: no second query
    assert not captured.captured_queries
    assert user_with_unit(10**9) is None


def test_a_user_without_a_unit_is_read_with_none(users):
    from zizhu.accounts.backends import user_with_unit
    from zizhu.accounts.models import User

    admin = User.objects.create_user("no_unit_admin", role="sysadmin", unit=None)
    read = user_with_unit(admin.pk)
    with CaptureQueriesContext(connection) as captured:
        assert read.unit is None
    assert not captured.captured_queries
    assert read.username == "no_unit_admin"
