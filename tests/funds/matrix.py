"""Permission-matrix entries and objects of the filing pages (merged into
tests/test_permission_matrix.py).

Objects: the national-aid filing of school 3661000001 ("own school") and of 3661000003
("other school"), a school-aid filing of the own school, the filings of county 610112 ("own
county", with a PDF body) and of the neighbouring county 610111 ("other county"), and the
deadline county 610112 set for its schools.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.matrix_common import (
    ALL,
    SCHOOL,
    SCHOOL_OPERATORS,
    SEES_OTHER_COUNTY,
    SEES_OWN_COUNTY,
    table,
)
from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Filing
from zizhu.funds.services import (
    allocation_create,
    deadline_set,
    filing_create,
    receipt_confirm,
    reversal_request,
)

from .factories import fill_document

OPERATORS = {"province_operator", "prefecture_operator", "county_operator", "neighbour_operator"}
# who opens the national and local filing pages, and who may create filings there
NATIONAL_FILERS = OPERATORS | SCHOOL
NATIONAL_CREATORS = OPERATORS | SCHOOL_OPERATORS
BUSINESS = SEES_OWN_COUNTY | SEES_OTHER_COUNTY | SCHOOL
# users who may write (FILE) but do not see county 610112 / school 3661000001: a 404
OUTSIDE_COUNTY_FILERS = {"school_operator", "neighbour_operator", "neighbour_school_operator"}
OUTSIDE_SCHOOL_FILERS = {"neighbour_operator", "neighbour_school_operator"}


def funds_objects(users) -> dict[str, int]:
    grant = AidProject.objects.get(code="vocational_national_grant")
    school_aid = AidProject.objects.get(code="vocational_school_hardship")

    def filing(username, project=grant):
        user = users[username]
        # another builder may already have filed the same unit, year and project
        existing = Filing.objects.filter(unit=user.unit, year=2025, project=project).first()
        return existing or filing_create(unit=user.unit, year=2025, project=project, actor=user)

    own_county = fill_document(
        filing("county_operator"), users["county_operator"], own_funds=Decimal("100.00")
    )
    other_county = fill_document(filing("neighbour_operator"), users["neighbour_operator"])
    deadline = deadline_set(
        unit=users["county_operator"].unit,
        year=2025,
        project=grant,
        due_at=timezone.now() + timedelta(days=30),
        actor=users["county_operator"],
    )
    # county 610112 allocated twice to its school 3661000001: one unconfirmed, one confirmed
    # by the school with a reversal requested
    school = users["school_operator"].unit
    confirmed = allocation_create(
        source=own_county, target_unit=school, amounts={"county": Decimal("10.00")}, actor=None
    )
    receipt = receipt_confirm(
        filing=confirmed.to_filing, arrival_date=timezone.localdate(), actor=None
    )
    request = reversal_request(allocation=confirmed, reason="错拨", actor=None)
    open_one = allocation_create(
        source=own_county, target_unit=school, amounts={"county": Decimal("5.00")}, actor=None
    )
    return {
        "own_allocation": open_one.pk,
        "own_reversal_request": request.pk,
        "own_receipt": receipt.pk,
        "own_school_filing": filing("school_operator").pk,
        "other_school_filing": filing("neighbour_school_operator").pk,
        "own_school_aid_filing": filing("school_operator", school_aid).pk,
        "own_county_filing": own_county.pk,
        "other_county_filing": other_county.pk,
        "own_deadline": deadline.pk,
    }


OWN_SCHOOL = "/funds/filings/{own_school_filing}/"
OWN_COUNTY = "/funds/filings/{own_county_filing}/"
OTHER_COUNTY = "/funds/filings/{other_county_filing}/"

FUNDS_MATRIX: dict[str, list] = {
    # the lists: national and local for authority operators and schools, school and social
    # aid for schools; supervisors, centre leaders and the admin roles have no filing menu
    "funds:filing_national": [("/funds/filing/national/", table(NATIONAL_FILERS))],
    "funds:filing_local": [("/funds/filing/local/", table(NATIONAL_FILERS))],
    "funds:filing_school": [("/funds/filing/school/", table(SCHOOL))],
    "funds:filing_social": [("/funds/filing/social/", table(SCHOOL))],
    "funds:filing_list": [("/funds/filing/nonsense/", table(set(), ALL))],
    # a new filing (an empty form: 200 with errors); reviewers do not create
    "funds:filing_create": [
        ("POST", "/funds/filing/national/new/", table(NATIONAL_CREATORS)),
        ("POST", "/funds/filing/school/new/", table(SCHOOL_OPERATORS)),
    ],
    # a filing's page: its own unit's filers only; every other filer gets 404
    "funds:filing_edit": [
        (OWN_SCHOOL, table({"school_operator", "school_reviewer"}, NATIONAL_FILERS)),
        (
            "/funds/filings/{own_school_aid_filing}/",
            table({"school_operator", "school_reviewer"}, NATIONAL_FILERS),
        ),
        (OWN_COUNTY, table({"county_operator"}, NATIONAL_FILERS)),
        ("POST", OWN_COUNTY, table({"county_operator"}, NATIONAL_FILERS)),  # 200 with errors
        (OTHER_COUNTY, table({"neighbour_operator"}, NATIONAL_FILERS)),
    ],
    "funds:filing_submit": [
        (
            "POST",
            OWN_SCHOOL + "submit/",
            table({"school_operator"}, NATIONAL_FILERS - {"school_reviewer"}, 302),
        ),
        ("GET", OWN_SCHOOL + "submit/", dict.fromkeys(ALL, 405)),
    ],
    "funds:filing_approve": [
        (
            "POST",
            OWN_SCHOOL + "approve/",
            table({"school_reviewer"}, NATIONAL_FILERS - {"school_operator"}, 302),
        ),
    ],
    "funds:filing_return": [
        (
            "POST",
            OWN_SCHOOL + "return/",
            table({"school_reviewer"}, NATIONAL_FILERS - {"school_operator"}, 302),
        ),
    ],
    # the PDF body: anyone who sees the authority's unit
    "funds:filing_document": [
        (OWN_COUNTY + "document/", table(SEES_OWN_COUNTY, BUSINESS - SEES_OWN_COUNTY)),
        (OTHER_COUNTY + "document/", table(SEES_OTHER_COUNTY, BUSINESS - SEES_OTHER_COUNTY)),
        (OWN_SCHOOL + "document/", table(set(), BUSINESS)),  # a school has no PDF body
    ],
    # allocations: the authority operator of the filing's unit
    "funds:allocations": [
        (OWN_COUNTY + "allocations/", table({"county_operator"}, OPERATORS)),
        ("POST", OWN_COUNTY + "allocations/", table({"county_operator"}, OPERATORS)),
    ],
    # 确认收到资金: the receiving unit's operator (an empty form: back to the filing)
    "funds:receipt_confirm": [
        (
            "POST",
            OWN_SCHOOL + "receipt/",
            table({"school_operator"}, NATIONAL_CREATORS - {"school_operator"}, 302),
        ),
        ("POST", OWN_COUNTY + "receipt/", table({"county_operator"}, NATIONAL_CREATORS, 302)),
    ],
    # 冲销 (an empty POST: a message, nothing written): the sending county's operator; other
    # operators who see the county are not the sender (403); users outside it 404
    "funds:allocation_reverse": [
        (
            "POST",
            "/funds/allocations/{own_allocation}/reverse/",
            table({"county_operator"}, OUTSIDE_COUNTY_FILERS, 302),
        ),
        ("GET", "/funds/allocations/{own_allocation}/reverse/", dict.fromkeys(ALL, 405)),
    ],
    # the receiving school's operator decides a requested reversal and corrects its arrival
    # dates; authority operators above see the school but are not the receiver (403)
    "funds:reversal_agree": [
        (
            "POST",
            "/funds/reversals/{own_reversal_request}/agree/",
            table({"school_operator"}, OUTSIDE_SCHOOL_FILERS, 302),
        ),
    ],
    "funds:reversal_decline": [
        (
            "POST",
            "/funds/reversals/{own_reversal_request}/decline/",
            table({"school_operator"}, OUTSIDE_SCHOOL_FILERS, 302),
        ),
    ],
    "funds:receipt_correct": [
        (
            "POST",
            "/funds/receipts/{own_receipt}/correct/",
            table({"school_operator"}, OUTSIDE_SCHOOL_FILERS, 302),
        ),
    ],
    # unlock: the operator of the authority directly above the filing's unit; operators
    # higher up see the filing but are not the deadline's setter (403)
    "funds:filing_unlock": [
        ("POST", OWN_SCHOOL + "unlock/", table({"county_operator"}, {"neighbour_operator"}, 302)),
        (
            "POST",
            OWN_COUNTY + "unlock/",
            table({"prefecture_operator"}, {"neighbour_operator"}, 302),
        ),
    ],
    "funds:deadlines": [
        ("/funds/deadlines/", table(OPERATORS)),
        ("POST", "/funds/deadlines/", table(OPERATORS)),  # an empty form: 200 with errors
    ],
    "funds:deadline_detail": [
        ("/funds/deadlines/{own_deadline}/", table({"county_operator"}, OPERATORS)),
    ],
}
