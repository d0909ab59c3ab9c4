"""Permission-matrix entries and objects of 资金填报详情 and 资金填报进展 (merged into
tests/test_permission_matrix.py): authority roles only, filings and units in scope."""

from tests.matrix_common import ALL, AUTHORITY, SEES_OTHER_COUNTY, SEES_OWN_COUNTY, table  # noqa: F401
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create
from zizhu.units.models import Unit

# authority users who see school 3661000001 ("own") and 3661000003 ("other") and the counties
SEES_OWN = SEES_OWN_COUNTY
SEES_OTHER = SEES_OTHER_COUNTY


def details_objects(users) -> dict[str, int]:
    """A national-aid filing at school 3661000001 (own) and at 3661000003 (other)."""
    project = AidProject.objects.get(code="vocational_national_grant")
    made = {}
    for name, code in (("own_report_filing", "3661000001"), ("other_report_filing", "3661000003")):
        unit = Unit.objects.get(code=code)
        # another builder may already have filed the same unit, year and project
        filing = Filing.objects.filter(unit=unit, year=2025, project=project).first()
        made[name] = (filing or filing_create(unit=unit, year=2025, project=project, actor=None)).pk
    return made


def _category_entries(category: str) -> dict[str, list]:
    details = f"/funds/reports/details/{category}/"
    progress = f"/funds/reports/progress/{category}/"
    if category == Category.NATIONAL:
        filing_entries = [
            (details + "{own_report_filing}/", table(SEES_OWN, AUTHORITY - SEES_OWN)),
            (details + "{other_report_filing}/", table(SEES_OTHER, AUTHORITY - SEES_OTHER)),
        ]
    else:  # a national filing is not at another category's address
        filing_entries = [(details + "{own_report_filing}/", table(set(), AUTHORITY))]
    return {
        f"fundreports:details_{category}": [(details, table(AUTHORITY))],
        f"fundreports:details_{category}_filing": filing_entries,
        f"fundreports:details_{category}_export": [(details + "export.xlsx", table(AUTHORITY))],
        f"fundreports:progress_{category}": [
            (progress, table(AUTHORITY)),
            (progress + "?unit=610111", table(SEES_OTHER, AUTHORITY - SEES_OTHER)),
            (progress + "?missing=3661000001", table(SEES_OWN, AUTHORITY - SEES_OWN)),
        ],
        f"fundreports:progress_{category}_export": [
            (progress + "export.xlsx", table(AUTHORITY)),
            (progress + "export.xlsx?unit=610112", table(SEES_OWN, AUTHORITY - SEES_OWN)),
        ],
    }


DETAILS_MATRIX: dict[str, list] = {}
for _category in Category.values:
    DETAILS_MATRIX.update(_category_entries(_category))
