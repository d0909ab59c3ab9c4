"""The admin's own pages of a run and of a unit read in Chinese: the stored figures (the
duration, the findings per rule, the list rows per term) as a person reads them, and the
tree's fields under labels of the product's."""

from datetime import timedelta

import pytest

from tests.anomalies.factories import make_run
from tests.conftest import login_as
from zizhu.anomalies.models import Run
from zizhu.units.models import Unit


@pytest.fixture
def admin_client(client, users):
    return login_as(client, users["sysadmin"])


def test_a_runs_page_shows_its_figures_in_chinese(admin_client):
    run = make_run()
    Run.objects.filter(pk=run.pk).update(
        duration=timedelta(seconds=2, microseconds=889472),
        counts={"10": 1234, "2": 4},
        total=1238,
        list_rows={"2025-autumn": 20345, "2022-spring": 7},
    )
    page = admin_client.get(f"/admin/anomalies/run/{run.pk}/change/").content.decode()
    assert "2.9 秒" in page and "0:00:02" not in page
    assert "规则 2：4；规则 10：1,234" in page and '{"10"' not in page
    assert "2022 春季学期：7；2025 秋季学期：20,345" in page and "autumn" not in page
    runs = admin_client.get("/anomalies/runs/").content.decode()  # the sysadmin's own page
    assert "<td>2.9 秒</td>" in runs and "0:00:02" not in runs
    assert 'placeholder="2025-10"' in runs and "YYYY-MM" not in runs
    listing = admin_client.get("/admin/anomalies/run/").content.decode()
    assert ">编号<" in listing and ">ID<" not in listing
    assert f"{run.month} #{run.pk}（已完成）" in listing


def test_a_units_page_labels_the_tree_fields_in_chinese(admin_client, tree):
    unit = Unit.objects.get(code="610112")
    page = admin_client.get(f"/admin/units/unit/{unit.pk}/change/").content.decode()
    assert "层级路径" in page and "层级深度" in page
    assert "Path:" not in page and "Depth:" not in page
    assert unit.path in page
    added = admin_client.get("/admin/units/unit/add/").content.decode()
    assert "层级深度" in added and ">None<" not in added
