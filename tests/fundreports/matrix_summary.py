"""Permission-matrix entries of 资金收支汇总 (merged into tests/test_permission_matrix.py):
authority and school roles see the summary of their scope; `?unit=` outside it is a 404;
the admin roles get 403. No objects needed: the pages read whatever the year holds."""

from tests.matrix_common import ALL, SEES_OTHER_COUNTY, SEES_OWN_COUNTY, table
from zizhu.catalogue.models import Category

ADMIN = {"sysadmin", "secadmin", "auditor"}
BUSINESS = ALL - ADMIN
# users who see county 610112 and may drill down to it, and those who see county 610111
SEES_COUNTY = SEES_OWN_COUNTY
SEES_NEIGHBOUR = SEES_OTHER_COUNTY


def _entries(category: str) -> dict[str, list]:
    page = f"/funds/reports/summary/{category}/"
    # a table every node of the category has: at county 610112 (national, local) or anywhere
    lower = "funds" if category in (Category.SCHOOL, Category.SOCIAL) else "recipients"
    return {
        f"fundreports:summary_{category}": [
            (page, table(BUSINESS)),
            (page + "?unit=610112", table(SEES_COUNTY, BUSINESS - SEES_COUNTY)),
            (page + "?unit=610111", table(SEES_NEIGHBOUR, BUSINESS - SEES_NEIGHBOUR)),
        ],
        f"fundreports:summary_{category}_export": [
            (f"{page}{lower}.xlsx?unit=610112", table(SEES_COUNTY, BUSINESS - SEES_COUNTY)),
            (f"{page}no_such_table.xlsx", table(set(), BUSINESS)),
        ],
    }


SUMMARY_MATRIX: dict[str, list] = {}
for _category in Category.values:
    SUMMARY_MATRIX.update(_entries(_category))
