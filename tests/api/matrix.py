"""Permission-matrix entries of the API (merged into tests/test_permission_matrix.py): every
route × role × own/other object, asked with the browser session like the pages. A write with an
empty body answers 400 to whoever may make it, 403 to a role that may not, 404 outside the scope.

Objects (tests/funds/matrix.py): the national-aid filings of school 3661000001 ("own school")
and 3661000003 ("other school"), of county 610112 ("own county") and 610111 ("other county")."""

from decimal import Decimal

from django.utils import timezone

from tests.matrix_common import (
    ALL,
    AUTHORITY,
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
from zizhu.funds.models import Filing
from zizhu.funds.services import allocation_create, filing_update, receipt_confirm, reversal_request


def api_objects(users) -> dict[str, int]:
    """A personal API token of school_operator; county 610111's allocations to its school
    3661000003 (after tests/funds/matrix.py made county 610112's to 3661000001): one
    unconfirmed, one confirmed by the school (its receipt) with a reversal requested."""
    from zizhu.api.services import api_token_create

    neighbour = users["neighbour_operator"]
    county = Filing.objects.get(
        unit=neighbour.unit, year=2025, project__code="vocational_national_grant"
    )
    county = filing_update(
        filing=county, version=county.version, actor=neighbour, own_funds=Decimal("100.00")
    )
    school = users["neighbour_school_operator"].unit
    confirmed = allocation_create(
        source=county, target_unit=school, amounts={"county": Decimal("10.00")}, actor=None
    )
    receipt = receipt_confirm(
        filing=confirmed.to_filing, arrival_date=timezone.localdate(), actor=None
    )
    request = reversal_request(allocation=confirmed, reason="错拨", actor=None)
    open_one = allocation_create(
        source=county, target_unit=school, amounts={"county": Decimal("5.00")}, actor=None
    )
    return {
        "own_token": api_token_create(user=users["school_operator"], name="m").token.pk,
        "other_allocation": open_one.pk,
        "other_reversal_request": request.pk,
        "other_receipt": receipt.pk,
    }


OPERATORS = {"province_operator", "prefecture_operator", "county_operator", "neighbour_operator"}
FILERS = OPERATORS | SCHOOL  # who opens national-aid filings (the pages' rule)
OWN_SCHOOL = "/api/v1/filings/{own_school_filing}/"
OTHER_SCHOOL = "/api/v1/filings/{other_school_filing}/"
OWN_COUNTY = "/api/v1/filings/{own_county_filing}/"
OTHER_COUNTY = "/api/v1/filings/{other_county_filing}/"
# users who may write (FILE) but do not see the county or school: a 404
FILE_OUTSIDE_OWN_COUNTY = {"school_operator", "neighbour_operator", "neighbour_school_operator"}
FILE_OUTSIDE_OTHER_COUNTY = {"county_operator", "school_operator", "neighbour_school_operator"}
FILE_OUTSIDE_OWN_SCHOOL = {"neighbour_operator", "neighbour_school_operator"}
FILE_OUTSIDE_OTHER_SCHOOL = {"county_operator", "school_operator"}
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
        # authority operators allocate (schools 403); only county 610112's operator its own
        (
            "POST",
            OWN_COUNTY + "allocations/",
            table({"county_operator"}, OPERATORS - {"county_operator"}, 400),
        ),
    ],
    "api:receipt": [
        ("POST", OWN_COUNTY + "receipt/", acting_on_own_county({"county_operator"})),
        ("POST", OWN_SCHOOL + "receipt/", table({"school_operator"}, NOT_OWN_SCHOOL, 400)),
    ],
    # 冲销 (an empty body: 400 for whoever may reverse): the sending county's operator; other
    # operators who see the county are not the sender (403); filers outside it 404
    "api:allocation_reverse": [
        (
            "POST",
            "/api/v1/allocations/{own_allocation}/reverse/",
            table({"county_operator"}, FILE_OUTSIDE_OWN_COUNTY, 400),
        ),
        (
            "POST",
            "/api/v1/allocations/{other_allocation}/reverse/",
            table({"neighbour_operator"}, FILE_OUTSIDE_OTHER_COUNTY, 400),
        ),
        ("GET", "/api/v1/allocations/{own_allocation}/reverse/", dict.fromkeys(ALL, 405)),
    ],
    # the receiving school's operator agrees (the counter-entry is written: 200) or declines
    # (an empty body: 400); authority operators above see the school but are not the receiver
    "api:reversal_agree": [
        (
            "POST",
            "/api/v1/reversal-requests/{own_reversal_request}/agree/",
            table({"school_operator"}, FILE_OUTSIDE_OWN_SCHOOL),
        ),
        (
            "POST",
            "/api/v1/reversal-requests/{other_reversal_request}/agree/",
            table({"neighbour_school_operator"}, FILE_OUTSIDE_OTHER_SCHOOL),
        ),
    ],
    "api:reversal_decline": [
        (
            "POST",
            "/api/v1/reversal-requests/{own_reversal_request}/decline/",
            table({"school_operator"}, FILE_OUTSIDE_OWN_SCHOOL, 400),
        ),
        (
            "POST",
            "/api/v1/reversal-requests/{other_reversal_request}/decline/",
            table({"neighbour_school_operator"}, FILE_OUTSIDE_OTHER_SCHOOL, 400),
        ),
    ],
    # 更正资金到位时间 (an empty body: 400): the receiving school's operator; authority
    # operators above see the school but are not the receiver (403); filers outside it 404
    "api:receipt_correct": [
        (
            "POST",
            "/api/v1/receipts/{own_receipt}/correct/",
            table({"school_operator"}, FILE_OUTSIDE_OWN_SCHOOL, 400),
        ),
        (
            "POST",
            "/api/v1/receipts/{other_receipt}/correct/",
            table({"neighbour_school_operator"}, FILE_OUTSIDE_OTHER_SCHOOL, 400),
        ),
        ("GET", "/api/v1/receipts/{own_receipt}/correct/", dict.fromkeys(ALL, 405)),
    ],
    "api:vouchers": [
        ("/api/v1/vouchers/", statuses(BUSINESS)),
        ("POST", "/api/v1/vouchers/", table(SCHOOL_OPERATORS, ok_status=400)),
    ],
    "api:voucher_file": [
        ("/api/v1/voucher-files/{own_voucher_file}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/api/v1/voucher-files/{other_voucher_file}/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    "api:recipient_lists": [
        ("/api/v1/recipient-lists/", statuses(BUSINESS)),
        ("POST", "/api/v1/recipient-lists/", table(SCHOOL_OPERATORS, ok_status=400)),
    ],
    "api:recipient_list": [
        ("/api/v1/recipient-lists/{own_list}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/api/v1/recipient-lists/{other_list}/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    "api:recipient_rows": [
        ("/api/v1/recipient-lists/{own_list}/rows/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/api/v1/recipient-lists/{other_list}/rows/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    # the school's operator submits its draft list; authority operators in scope are not
    # school users (403); outside the scope 404
    "api:recipient_list_submit": [
        (
            "POST",
            "/api/v1/recipient-lists/{own_list}/submit/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}, 200),
        ),
    ],
    # only the school's reviewer; a draft list can be neither approved nor returned (400)
    "api:recipient_list_approve": [
        (
            "POST",
            "/api/v1/recipient-lists/{own_list}/approve/",
            table({"school_reviewer"}, (), 400),
        ),
    ],
    "api:recipient_list_return": [
        ("POST", "/api/v1/recipient-lists/{own_list}/return/", table({"school_reviewer"}, (), 400)),
    ],
    # register imports and check runs: the system administrator (an empty body: 400)
    "api:registers": [
        ("/api/v1/registers/", statuses({"sysadmin"})),
        ("POST", "/api/v1/registers/", statuses({"sysadmin"}, 400)),
    ],
    "api:register": [("/api/v1/registers/999999/", statuses(set(), sysadmin=404))],
    "api:runs": [
        ("/api/v1/runs/", statuses({"sysadmin"})),
        ("POST", "/api/v1/runs/", statuses({"sysadmin"}, 400)),
    ],
    "api:run": [
        ("/api/v1/runs/{run}/", statuses({"sysadmin"})),
        ("/api/v1/runs/999999/", statuses(set(), sysadmin=404)),
    ],
    "api:findings": [
        ("/api/v1/findings/", statuses(BUSINESS)),
        (
            "/api/v1/findings/?unit=610112",
            table(SEES_OWN - SCHOOL, BUSINESS - (SEES_OWN - SCHOOL)),
        ),
    ],
    "api:finding": [
        ("/api/v1/findings/{own_finding}/", table(SEES_OWN, BUSINESS - SEES_OWN)),
        ("/api/v1/findings/{other_finding}/", table(SEES_OTHER, BUSINESS - SEES_OTHER)),
    ],
    "api:finding_explain": [
        (
            "POST",
            "/api/v1/findings/{own_finding}/explain/",
            table({"school_operator"}, {"neighbour_operator", "neighbour_school_operator"}, 400),
        ),
        (
            "POST",
            "/api/v1/findings/{other_finding}/explain/",
            table({"neighbour_school_operator"}, {"county_operator", "school_operator"}, 400),
        ),
    ],
    "api:finding_review": [
        (
            "POST",
            "/api/v1/findings/{own_finding}/review/",
            table(
                {"county_operator", "prefecture_operator", "province_operator"},
                {"neighbour_operator", "neighbour_school_operator"},
                400,
            ),
        ),
    ],
    "api:explanation_attachment": [
        (
            "/api/v1/explanations/{own_explanation}/attachment/",
            table(SEES_OWN, BUSINESS - SEES_OWN),
        ),
        (
            "/api/v1/explanations/{other_explanation}/attachment/",
            table(SEES_OTHER, BUSINESS - SEES_OTHER),
        ),
    ],
    # the reports: progress for authority roles, the summary for every business role; a unit
    # outside the scope is a 404
    "api:progress": [
        ("/api/v1/reports/progress/national/", table(AUTHORITY)),
        (
            "/api/v1/reports/progress/national/?unit=610112",
            table(SEES_OWN_COUNTY, AUTHORITY - SEES_OWN_COUNTY),
        ),
        ("/api/v1/reports/progress/nonsense/", table(set(), AUTHORITY)),
    ],
    "api:summary": [
        ("/api/v1/reports/summary/local/", table(BUSINESS)),
        (
            "/api/v1/reports/summary/national/?unit=610111",
            table(SEES_OTHER_COUNTY, BUSINESS - SEES_OTHER_COUNTY),
        ),
    ],
    # jobs: one's own and those submitted in one's scope; admin roles see no business jobs
    "api:jobs": [("/api/v1/jobs/", statuses(ALL))],
    "api:job": [
        ("/api/v1/jobs/{own_import_job}/", table(SEES_OWN, ALL - SEES_OWN)),
        ("/api/v1/jobs/999999/", table(set(), ALL)),
    ],
    "api:not_found": [
        ("/api/v1/nothing/", table(set(), ALL)),
        ("POST", "/api/v1/explanations/null,null/attachment/", table(set(), ALL)),
    ],
}
