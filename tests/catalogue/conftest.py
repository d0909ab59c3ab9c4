"""Schools of every stage under county 610112, a second province with a school, and the
demo province's own local projects seeded."""

import pytest

from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import

# one school of each stage (the fixture tree already has 3661000001 and 4161000001)
SCHOOL_OF_STAGE = {
    "preschool": "1161000001",
    "compulsory": "3161000001",
    "senior_high": "3461000001",
    "vocational": "3661000001",
    "higher": "4161000001",
    "special": "5161000001",
}


@pytest.fixture
def stages_tree(tree):
    units_import(
        rows=[
            UnitRow(code, f"{stage}学校", "school", "610112", stage=stage)
            for stage, code in SCHOOL_OF_STAGE.items()
            if code not in tree
        ]
        + [
            UnitRow("620000", "甘肃省", "province", "000000"),
            UnitRow("620102", "城关区", "county", "620000"),
            UnitRow("3662000001", "城关职教中心", "school", "620102", stage="vocational"),
        ]
    )
    seed_catalogue(AidProject, Unit)
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def gansu_users(stages_tree):
    """The second province's operator and its vocational school's operator."""
    made = {}
    for username, role, code in (
        ("gansu_operator", "operator", "620000"),
        ("gansu_school_operator", "school_operator", "3662000001"),
    ):
        user = User(username=username, role=role, unit=stages_tree[code])
        user.must_change_password = False
        user.set_password("Kx7#pLm2qZ")
        user.save()
        made[username] = user
    return made
