"""Every write through the Django admin is in the audit trail the auditor reads, with the
before and after values of the changed fields and never a password; a password an
administrator sets is temporary."""

import pytest

from tests.accounts.conftest import sign_in
from tests.conftest import PASSWORD, login_as
from zizhu.accounts.models import User
from zizhu.audit.models import AuditEvent

TEMPORARY = "Tmp#Harbour42x"
OWN = "Quay9#lantern"


@pytest.fixture
def admin_client(client, users):
    return login_as(client, users["sysadmin"])


def _events(action: str, user: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(user.pk)).order_by("id"))


def _change_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "email": user.email,
        "role": user.role,
        "unit": user.unit_id,
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v not in ("", None)}


def _no_password_anywhere():
    for event in AuditEvent.objects.all():
        text = event.detail_text
        for secret in (TEMPORARY, OWN, PASSWORD, "pbkdf2", "md5$"):
            assert secret not in text, (event.action, text)


def test_it_audits_adding_a_user_and_forces_the_initial_password_change(admin_client, tree):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "first_name": "新人",
            "role": "operator",
            "unit": tree["610112"].pk,
            "password1": TEMPORARY,
            "password2": TEMPORARY,
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newcomer")
    assert user.must_change_password is True
    [event] = _events("admin.add", user)
    changes = event.detail["changes"]
    assert changes["role"] == [None, "operator"]
    assert changes["unit"][1].startswith(f"{tree['610112'].pk} ")
    assert changes["must_change_password"] == [None, True]
    assert event.actor_username == "sysadmin"
    _no_password_anywhere()


@pytest.mark.parametrize(
    ("field", "value", "before", "after"),
    [
        ("role", "supervisor", "operator", "supervisor"),
        ("is_active", "", True, False),  # deactivate
        ("first_name", "王五", "", "王五"),
        ("email", "x@example.cn", "", "x@example.cn"),
    ],
)
def test_it_audits_each_changed_field_with_before_and_after(
    admin_client, users, field, value, before, after
):
    user = users["county_operator"]
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/", _change_form(user, **{field: value})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = _events("admin.change", user)
    assert event.detail["changes"] == {field: [before, after]}


def test_it_audits_moving_a_user_to_another_unit(admin_client, users, tree):
    user = users["county_operator"]
    target = tree["610111"]
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/", _change_form(user, unit=target.pk)
    )
    assert response.status_code == 302
    [event] = _events("admin.change", user)
    old, new = event.detail["changes"]["unit"]
    assert old.startswith(f"{tree['610112'].pk} ") and new.startswith(f"{target.pk} ")


def test_it_keeps_the_pending_change_out_of_the_administrators_hands(admin_client, users):
    user = users["county_operator"]
    user.must_change_password = True
    user.save()
    form = _change_form(user, must_change_password="")
    admin_client.post(f"/admin/accounts/user/{user.pk}/change/", form)
    user.refresh_from_db()
    assert user.must_change_password is True


def test_it_audits_the_password_form_and_makes_the_password_temporary(client, users):
    user = users["county_operator"]
    login_as(client, users["sysadmin"])
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": TEMPORARY, "password2": TEMPORARY, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is True
    [event] = _events("admin.password_set", user)
    assert event.actor_username == "sysadmin"
    assert event.detail["changes"]["must_change_password"] == [False, True]
    _no_password_anywhere()

    # the owner signs in with it, must change it, and may not keep it
    client.logout()
    assert sign_in(client, user.username, TEMPORARY).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"
    same = {"old_password": TEMPORARY, "new_password1": TEMPORARY, "new_password2": TEMPORARY}
    response = client.post("/accounts/password/", same)
    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in response.content.decode()
    new = {"old_password": TEMPORARY, "new_password1": OWN, "new_password2": OWN}
    assert client.post("/accounts/password/", new).status_code == 302
    user.refresh_from_db()
    assert user.must_change_password is False


def test_it_refuses_the_initial_password_at_the_first_login_change(client, users):
    user = users["county_operator"]
    user.must_change_password = True
    user.save()
    sign_in(client, user.username)
    same = {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    response = client.post("/accounts/password/", same)
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password is True


def test_it_audits_deleting_users_one_by_one_and_in_bulk(admin_client, users):
    one, two, three = (users[n] for n in ("county_leader", "county_supervisor", "school_reviewer"))
    response = admin_client.post(f"/admin/accounts/user/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    for user in (one, two, three):
        [event] = _events("admin.delete", user)
        assert event.detail["repr"] == user.username


def test_it_audits_the_other_admin_pages_with_before_and_after(admin_client, tree):
    from zizhu.catalogue.models import AidProject

    project = AidProject.objects.order_by("pk").first()
    page = f"/admin/catalogue/aidproject/{project.pk}/change/"
    form = admin_client.get(page).context["adminform"].form
    data = {
        name: ("on" if value is True else value)
        for name, value in ((n, form[n].value()) for n in form.fields)
        if value not in (None, False)
    }
    data["name"] = "改名后的项目"
    assert admin_client.post(page, data).status_code == 302
    [event] = AuditEvent.objects.filter(action="admin.change", object_id=str(project.pk))
    assert event.detail["changes"] == {"name": [project.name, "改名后的项目"]}


def test_it_shows_admin_events_and_their_changes_to_the_auditor(client, users):
    user = users["county_operator"]
    login_as(client, users["sysadmin"])
    client.post(f"/admin/accounts/user/{user.pk}/change/", _change_form(user, role="supervisor"))
    client.logout()
    login_as(client, users["auditor"])
    page = client.get("/audit/?action=admin.change").content.decode()
    assert "后台管理：修改记录" in page.split('data-testid="audit"', 1)[1]
    assert "修改内容：（角色：业务操作人员 → 业务主管领导）" in page  # the field and its labels


# Bulk actions of the admin, each audited: the mixin's delete; a run's abandonment through its
# service (test_it_audits_abandoning_a_run_in_the_admin).
AUDITED_ACTIONS = {"delete_selected", "abandon"}


def test_every_admin_page_writes_through_the_audited_paths_only(rf, users):
    """Whatever model the admin shows, a write reaches the trail: each registered admin
    uses the audited save and delete (the mixin) and offers no bulk action but audited ones;
    the lockout and second-factor records are not in the admin at all (the security
    administrator's pages unlock and reset, audited: tests/accounts/)."""
    from axes.models import AccessAttempt
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zizhu.audit.admin_mixins import SysadminAdminMixin

    request = rf.get("/admin/")
    request.user = users["sysadmin"]
    assert len(admin.site._registry) >= 7
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        assert isinstance(model_admin, SysadminAdminMixin), label
        for method in ("save_model", "delete_model", "delete_queryset"):
            assert getattr(type(model_admin), method) is getattr(SysadminAdminMixin, method), (
                label,
                method,
            )
        assert set(model_admin.get_actions(request)) <= AUDITED_ACTIONS, label
    assert not {AccessAttempt, TOTPDevice} & admin.site._registry.keys()


def test_it_audits_a_unit_changed_in_the_admin_with_before_and_after(admin_client, tree):
    unit = tree["610111"]
    page = f"/admin/units/unit/{unit.pk}/change/"
    form = admin_client.get(page).context["adminform"].form
    data = {
        name: ("on" if value is True else value)
        for name, value in ((n, form[n].value()) for n in form.fields)
        if value not in (None, False)
    }
    data["name"] = "灞桥区教育局"
    data.pop("is_active")  # deactivate
    assert admin_client.post(page, data).status_code == 302
    [event] = AuditEvent.objects.filter(action="admin.change", object_id=str(unit.pk))
    assert event.detail["changes"] == {
        "name": ["灞桥区", "灞桥区教育局"],
        "is_active": [True, False],
    }


def test_it_audits_abandoning_a_run_in_the_admin(admin_client):
    from tests.anomalies.factories import make_run
    from zizhu.anomalies.models import RunStatus

    run = make_run(status=RunStatus.RUNNING)
    response = admin_client.post(
        "/admin/anomalies/run/", {"action": "abandon", "_selected_action": [run.pk]}
    )
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(action="anomalies.run_abandon", object_id=str(run.pk))
    assert event.actor_username == "sysadmin"
