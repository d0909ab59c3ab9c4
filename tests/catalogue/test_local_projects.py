"""A province's operator keeps the province's own local-aid projects: its schools file them,
another province's units never see them; every change is audited."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import login_as
from zizhu.audit.models import AuditEvent
from zizhu.catalogue import services
from zizhu.catalogue.models import AidProject
from zizhu.funds.forms import DeadlineForm, NewFilingForm

NEW = {"name": "中职学生交通补助", "stage": "vocational", "standard_amount": "800",
       "source": "陕教〔2026〕1号（示例）", "note": ""}  # fmt: skip


def _offered(unit, category="local"):
    return {p.name for p in NewFilingForm(unit=unit, category=category).fields["project"].queryset}


@pytest.fixture
def added(client, stages_tree, users, gansu_users):
    login_as(client, users["province_operator"])
    response = client.post("/funds/catalogue/local/", NEW)
    assert response.status_code == 302
    return AidProject.objects.get(name=NEW["name"])


def test_the_provinces_schools_file_its_project_and_another_provinces_do_not(added, stages_tree):
    assert (added.province.code, added.category, added.stage) == ("610000", "local", "vocational")
    assert added.code == "local_610000_001"
    assert NEW["name"] in _offered(stages_tree["3661000001"])  # a vocational school below
    assert NEW["name"] in _offered(stages_tree["610112"])  # a county below
    assert NEW["name"] not in _offered(stages_tree["4161000001"])  # another stage
    assert NEW["name"] not in _offered(stages_tree["3662000001"])  # Gansu's vocational school
    assert "中职学生省级资助（陕西省）" not in _offered(stages_tree["3662000001"])
    assert added not in DeadlineForm(unit=stages_tree["620000"]).fields["project"].queryset
    assert AuditEvent.objects.filter(action="catalogue.local_project_create").count() == 1


def test_the_province_renames_and_retires_its_project(client, added, stages_tree):
    listing = client.get("/funds/catalogue/local/").content.decode()
    assert "地方资助项目" in listing and "中职" in listing and "800.00" in listing
    page = client.get(f"/funds/catalogue/local/{added.pk}/")
    assert page.context["form"]["name"].value() == NEW["name"]
    edit = {**NEW, "name": "中职学生交通补贴"}
    edit.pop("stage")
    assert client.post(f"/funds/catalogue/local/{added.pk}/", edit).status_code == 302
    assert "中职学生交通补贴" in _offered(stages_tree["3661000001"])
    assert client.post(f"/funds/catalogue/local/{added.pk}/retire/").status_code == 302
    assert "中职学生交通补贴" not in _offered(stages_tree["3661000001"])
    assert client.post(f"/funds/catalogue/local/{added.pk}/restore/").status_code == 302
    assert "中职学生交通补贴" in _offered(stages_tree["3661000001"])
    actions = list(
        AuditEvent.objects.filter(object_id=str(added.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "catalogue.local_project_create",
        "catalogue.local_project_update",
        "catalogue.local_project_retire",
        "catalogue.local_project_restore",
    ]


def test_another_province_and_the_levels_below_cannot_touch_it(client, added, users, gansu_users):
    login_as(client, gansu_users["gansu_operator"])
    assert client.get("/funds/catalogue/local/").status_code == 200  # Gansu's own page
    assert added.name not in client.get("/funds/catalogue/local/").content.decode()
    assert client.post(f"/funds/catalogue/local/{added.pk}/retire/").status_code == 404
    login_as(client, users["prefecture_operator"])
    assert client.get("/funds/catalogue/local/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.local_project_update(project=added, actor=gansu_users["gansu_operator"], name="x")
    added.refresh_from_db()
    assert added.is_active and added.name == NEW["name"]


def test_a_national_project_is_not_the_provinces_to_change(client, stages_tree, users):
    national = AidProject.objects.get(code="vocational_national_grant")
    login_as(client, users["province_operator"])
    assert client.get(f"/funds/catalogue/local/{national.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.local_project_set_active(
            project=national, active=False, actor=users["province_operator"]
        )


def test_reports_of_another_province_do_not_name_its_projects(client, added, users, gansu_users):
    login_as(client, gansu_users["gansu_operator"])
    gansu = client.get("/funds/reports/progress/local/").content.decode()
    login_as(client, users["province_operator"])
    shaanxi = client.get("/funds/reports/progress/local/").content.decode()
    assert NEW["name"] in shaanxi and "中职学生省级资助（陕西省）" in shaanxi
    assert NEW["name"] not in gansu and "中职学生省级资助（陕西省）" not in gansu
    assert "学前教育地方政府资助" in gansu  # the nationwide local project


def test_the_page_lists_any_number_of_projects_in_the_same_queries(client, stages_tree, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_as(client, users["province_operator"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/funds/catalogue/local/").status_code == 200
        return len(captured)

    client.post("/funds/catalogue/local/", NEW)
    one = queries()
    for n in range(2, 7):
        client.post("/funds/catalogue/local/", NEW | {"name": f"省级补助{n}"})
    assert AidProject.objects.filter(province__code="610000").count() >= 6
    assert queries() == one
