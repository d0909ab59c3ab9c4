"""The initial password must be changed before anything else, and the change page applies
the password rules."""

import pytest

from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD
from zizhu.audit.models import AuditEvent

CHANGE_URL = "/accounts/password/"
NEW_PASSWORD = "Harbour7kettle"


@pytest.fixture
def newcomer(users):
    """county_operator as created by the system admin: the initial password is pending."""
    user = users["county_operator"]
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    return user


def change(client, new1: str, new2: str | None = None, old: str = PASSWORD):
    return client.post(
        CHANGE_URL,
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


@pytest.mark.parametrize("path", ["/", "/units/", "/units/610112/", "/audit/", "/jobs/"])
def test_it_sends_a_user_with_an_initial_password_to_the_change_page(client, newcomer, path):
    assert sign_in(client, "county_operator").status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == CHANGE_URL


def test_it_shows_the_change_page_with_a_notice(client, newcomer):
    sign_in(client, "county_operator")
    response = client.get(CHANGE_URL)
    assert response.status_code == 200
    assert "首次登录须修改初始密码。" in response.content.decode()


def test_it_clears_the_flag_after_the_change_and_lets_the_user_in(client, newcomer):
    sign_in(client, "county_operator")

    response = change(client, NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    newcomer.refresh_from_db()
    assert newcomer.must_change_password is False
    assert newcomer.password_changed_at is not None
    assert newcomer.check_password(NEW_PASSWORD)
    # the session survives the change (its auth hash was updated) and home now loads
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="password.change")
    assert (event.actor_username, event.result) == ("county_operator", "success")
    assert (event.object_type, event.object_id) == ("accounts.user", str(newcomer.pk))


def test_it_signs_in_with_the_new_password_afterwards(client, newcomer):
    sign_in(client, "county_operator")
    change(client, NEW_PASSWORD)
    client.post("/accounts/logout/")

    assert sign_in(client, "county_operator", PASSWORD).status_code == 200  # old one refused
    response = sign_in(client, "county_operator", NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("new_password", "code", "message"),
    [
        ("Kx7#pL2", "password_too_short", "至少 8 个字符"),
        ("harbour7kettle", "password_too_simple", "至少 3 类"),
        ("P@ssw0rd", "password_too_common", "这个密码太常见了。"),
        ("COUNTY_OPERATOR", "password_is_username", "密码不能与用户名相同。"),
        ("Harbour7kettle", None, "密码已修改。"),
    ],
)
def test_it_applies_the_password_rules_on_the_change_page(
    client, newcomer, new_password, code, message
):
    sign_in(client, "county_operator")

    response = change(client, new_password)

    newcomer.refresh_from_db()
    if code is None:
        assert response.status_code == 302
        assert newcomer.must_change_password is False
        assert message in client.get("/").content.decode()
        return
    assert response.status_code == 200
    codes = {e.code for e in response.context["form"].errors.as_data()["new_password2"]}
    assert code in codes
    assert message in response.content.decode()
    assert newcomer.must_change_password is True
    assert newcomer.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password.change").exists()
