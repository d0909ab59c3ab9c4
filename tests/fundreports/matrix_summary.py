"""Permission-matrix entries of 资金收支汇总 (merged into tests/test_permission_matrix.py):
authority and school roles see the summary of their scope; `?unit=` outside it is a 404;
the admin roles get 403. No objects needed: the pages read whatever the year holds."""

from tests.conftest import USERS
from zizhu.catalogue.models import Category

ALL = set(USERS)
ADMIN = {"sysadmin", "secadmin", "auditor"}
BUSINESS = ALL - ADMIN
# users who see county 610112 and may drill down to it
SEES_COUNTY = {
    "province_operator",
    "prefecture_operator",
    "county_operator",
    "county_supervisor",
    "county_leader",
}
SEES_NEIGHBOUR = {"province_operator", "prefecture_operator", "neighbour_operator"}


def table(ok: set[str], not_found: set[str] = frozenset()) -> dict[str, int]:
    """`ok` users 200, `not_found` users 404 (outside their scope), the rest 403."""
    return {u: 200 if u in ok else 404 if u in not_found else 403 for u in ALL}


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
