"""The users and status tables that every permission-matrix module shares (the matrix itself is
tests/test_permission_matrix.py; each area adds its entries from its own matrix module)."""

from tests.conftest import USERS

ALL = set(USERS)
AUTHORITY = {
    u for u, (role, _code) in USERS.items() if role in ("operator", "supervisor", "center_leader")
}
SCHOOL = {"school_operator", "school_reviewer", "neighbour_school_operator"}
SCHOOL_OPERATORS = {"school_operator", "neighbour_school_operator"}
BUSINESS = AUTHORITY | SCHOOL

# Authority users who see county 610112 ("own") and county 610111 ("other") with their schools.
SEES_OWN_COUNTY = {
    "province_operator",
    "prefecture_operator",
    "county_operator",
    "county_supervisor",
    "county_leader",
}
SEES_OTHER_COUNTY = {"province_operator", "prefecture_operator", "neighbour_operator"}
# Users who see school 3661000001 ("own") and school 3661000003 ("other").
SEES_OWN = SEES_OWN_COUNTY | {"school_operator", "school_reviewer"}
SEES_OTHER = SEES_OTHER_COUNTY | {"neighbour_school_operator"}


def table(ok: set[str], not_found: set[str] = frozenset(), ok_status=200) -> dict[str, int]:
    """`ok` users get ok_status, `not_found` users 404 (outside their scope), the rest 403."""
    return {u: ok_status if u in ok else 404 if u in not_found else 403 for u in ALL}


def statuses(ok: set[str], ok_status=200, denied=403, **special) -> dict[str, int]:
    result = {user: (ok_status if user in ok else denied) for user in ALL}
    result.update(special)
    return result
