"""A signed-in user is read with its unit in one query (zizhu.accounts.backends): every page
reads `user.unit` (menu, scope), which Django's own backend loads in a second query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

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
