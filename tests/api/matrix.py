"""Permission-matrix entries of the API (merged into tests/test_permission_matrix.py): every
route × role × own/other object, asked with the browser session like the pages. A write with an
empty body answers 400 to whoever may make it, 403 to a role that may not, 404 outside the scope.

Objects (tests/funds/matrix.py): the national-aid filings of school 3661000001 ("own school")
and 3661000003 ("other school"), of county 610112 ("own county") and 610111 ("other county")."""

from tests.matrix_common import (
    ALL,
    BUSINESS,
    SCHOOL,
    SCHOOL_OPERATORS,
    SEES_OTHER,
    SEES_OTHER_COUNTY,
    SEES_OWN,
    SEES_OWN_COUNTY,
    statuses,
    table,
)


def api_objects(users) -> dict[str, int]:
    """A personal API token of school_operator."""
    from zizhu.api.services import api_token_create

    return {"own_token": api_token_create(user=users["school_operator"], name="m").token.pk}


OPERATORS = {"province_operator", "prefecture_operator", "county_operator", "neighbour_operator"}
FILERS = OPERATORS | SCHOOL  # who opens national-aid filings (the pages' rule)
OWN_SCHOOL = "/api/v1/filings/{own_school_filing}/"
OTHER_SCHOOL = "/api/v1/filings/{other_school_filing}/"
OWN_COUNTY = "/api/v1/filings/{own_county_filing}/"
OTHER_COUNTY = "/api/v1/filings/{other_county_filing}/"
# filers for whom school 3661000001's filing is not their own unit's (404, in scope or not)
NOT_OWN_SCHOOL = FILERS - {"school_operator", "school_reviewer"}


def acting_on_own_county(ok: set[str], status: int = 400) -> dict[str, int]:
    """A write on county 610112's filing: only its own operator reaches the service (`ok`);
    supervisors and leaders are not filers (403); other filers never see it as theirs (404)."""
    return table(ok, (FILERS - {"county_operator"}), status)


API_MATRIX: dict[str, list] = {
    # 账户安全: every user's own page; a token is revoked by its owner only
    "account:security": [
        ("/account/security/", statuses(ALL)),
        ("POST", "/account/security/", statuses(ALL)),  # an empty form: 200 with errors
    ],
    "account:token_revoke": [
        (
            "POST",
            "/account/security/tokens/{own_token}/revoke/",
            statuses({"school_operator"}, 302, 404),
        ),
        ("GET", "/account/security/tokens/{own_token}/revoke/", dict.fromkeys(ALL, 405)),
    ],
    "api:schema": [("/api/schema/", statuses(ALL))],
    "api:docs": [("/api/docs/", statuses(ALL))],
    "api:units": [("/api/v1/units/", statuses(BUSINESS))],
    "api:unit": [
        ("/api/v1/units/3661000001/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/api/v1/units/3661000003/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
        ("/api/v1/units/9999999999/", table(set(), BUSINESS)),
    ],
    "api:filings": [
        ("/api/v1/filings/", statuses(BUSINESS)),
        # an empty body: 400 for who may create; reviewers, supervisors, leaders, admins 403
        ("POST", "/api/v1/filings/", table(OPERATORS | SCHOOL_OPERATORS, ok_status=400)),
    ],
    "api:filing": [
        (OWN_SCHOOL, table(SEES_OWN, BUSINESS - SEES_OWN)),
        (OTHER_SCHOOL, table(SEES_OTHER, BUSINESS - SEES_OTHER)),
        (OWN_COUNTY, table(SEES_OWN_COUNTY, BUSINESS - SEES_OWN_COUNTY)),
        (OTHER_COUNTY, table(SEES_OTHER_COUNTY, BUSINESS - SEES_OTHER_COUNTY)),
        ("PATCH", OWN_COUNTY, acting_on_own_county({"county_operator"})),
        ("PUT", OWN_COUNTY, statuses(set(), **dict.fromkeys(ALL, 405))),
    ],
    "api:filing_submit": [
        # a draft national filing of the school: nothing of its own to fill, so it goes
        ("POST", OWN_SCHOOL + "submit/", table({"school_operator"}, NOT_OWN_SCHOOL, 200)),
        ("GET", OWN_SCHOOL + "submit/", statuses(set(), **dict.fromkeys(ALL, 405))),
    ],
    # only the school's reviewer; a draft can be neither approved nor returned (400)
    "api:filing_approve": [
        ("POST", OWN_SCHOOL + "approve/", table({"school_reviewer"}, NOT_OWN_SCHOOL, 400)),
    ],
    "api:filing_return": [
        ("POST", OWN_SCHOOL + "return/", table({"school_reviewer"}, NOT_OWN_SCHOOL, 400)),
    ],
    "api:allocations": [
        (OWN_COUNTY + "allocations/", table(SEES_OWN_COUNTY, BUSINESS - SEES_OWN_COUNTY)),
        ("POST", OWN_COUNTY + "allocations/", acting_on_own_county({"county_operator"})),
    ],
    "api:receipt": [
        ("POST", OWN_COUNTY + "receipt/", acting_on_own_county({"county_operator"})),
        ("POST", OWN_SCHOOL + "receipt/", table({"school_operator"}, NOT_OWN_SCHOOL, 400)),
    ],
}
