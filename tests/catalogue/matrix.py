"""Permission-matrix entries of the local-project pages (tests/test_permission_matrix.py): the
province's operator only; another province's project or a national one is a 404 to them."""

from tests.matrix_common import ALL, statuses
from zizhu.catalogue import services
from zizhu.catalogue.models import AidProject

PROVINCE = {"province_operator"}


def catalogue_objects(users) -> dict[str, int]:
    operator = users["province_operator"]
    own = services.local_project_create(
        province=operator.unit, stage="vocational", name="矩阵测试项目", actor=operator
    )
    national = AidProject.objects.get(code="vocational_national_grant")
    return {"own_local_project": own.pk, "national_project": national.pk}


def _posts(action: str) -> list:
    return [
        ("POST", f"/funds/catalogue/local/{{own_local_project}}/{action}/",
         statuses(PROVINCE, ok_status=302)),
        ("POST", f"/funds/catalogue/local/{{national_project}}/{action}/",
         statuses(set(), province_operator=404)),
        ("GET", f"/funds/catalogue/local/{{own_local_project}}/{action}/",
         dict.fromkeys(ALL, 405)),
    ]  # fmt: skip


CATALOGUE_MATRIX = {
    "catalogue:local_projects": [
        ("/funds/catalogue/local/", statuses(PROVINCE)),
        ("POST", "/funds/catalogue/local/", statuses(PROVINCE)),  # an empty form: errors
    ],
    "catalogue:local_project_edit": [
        ("/funds/catalogue/local/{own_local_project}/", statuses(PROVINCE)),
        ("/funds/catalogue/local/{national_project}/", statuses(set(), province_operator=404)),
    ],
    "catalogue:local_project_retire": _posts("retire"),
    "catalogue:local_project_restore": _posts("restore"),
}
