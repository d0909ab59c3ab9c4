"""Every list of the API takes the same number of queries for one row as for twenty: nothing
is fetched per row. (The filings list: tests/api/test_filings.py.)"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.anomalies.factories import make_finding, make_run
from tests.recipients.factories import make_list
from tests.vouchers.factories import make_voucher
from zizhu.catalogue.models import AidProject
from zizhu.catalogue.seed import seed_catalogue
from zizhu.funds.services import (
    allocation_create,
    allocation_reverse,
    filing_create,
    filing_update,
    receipt_confirm,
    reversal_request,
)
from zizhu.jobs.services import job_create
from zizhu.registers.models import Snapshot
from zizhu.units.services import UnitRow, units_import


@pytest.fixture
def grant(db):
    seed_catalogue(AidProject)
    return AidProject.objects.get(code="vocational_national_grant")


def counted(api, value, path) -> tuple[int, int]:
    """(queries, rows) of one GET of `path`."""
    with CaptureQueriesContext(connection) as captured:
        response = api(value, "get", path)
    assert response.status_code == 200, response.content
    return len(captured), len(response.json()["results"])


def assert_constant(api, value, path, add_rows, few: int = 1, many: int = 20):
    """The list at `path` has `few` rows, then `many` once add_rows() ran: the same queries."""
    api(value, "get", path)  # warm-up: content types, the token's row
    queries, rows = counted(api, value, path)
    assert rows == few
    add_rows()
    assert counted(api, value, path) == (queries, many)


def test_units(token, api, users):
    def add_rows():
        schools = [
            UnitRow(f"36610002{i:02d}", f"第{i}中等职业学校", "school", "610111", "vocational")
            for i in range(19)
        ]
        units_import(rows=schools)

    path = "/api/v1/units/?parent=610111&level=school"
    assert_constant(api, token("neighbour_operator").value, path, add_rows)


def test_allocations(token, api, users, grant):
    operator = users["county_operator"]
    county = filing_create(unit=operator.unit, year=2025, project=grant, actor=operator)
    county = filing_update(filing=county, version=county.version, actor=operator, own_funds="900")
    school = users["school_operator"].unit

    def allocate(amount="1.00"):
        return allocation_create(
            source=county, target_unit=school, amounts={"county": Decimal(amount)}, actor=None
        )

    first = allocate()

    def add_rows():
        # one confirmed with a reversal requested, one reversed (its counter-entry is a row)
        receipt_confirm(filing=first.to_filing, arrival_date=timezone.localdate(), actor=None)
        reversal_request(allocation=first, reason="多拨", actor=None)
        allocation_reverse(allocation=allocate(), reason="错拨", actor=None)
        for _ in range(17):
            allocate()

    value = token("county_operator").value
    assert_constant(api, value, f"/api/v1/filings/{county.pk}/allocations/", add_rows)
    school_filing = first.to_filing_id
    path = f"/api/v1/filings/{school_filing}/allocations/?direction=in"
    assert counted(api, value, path)[1] == 20


def test_vouchers(token, api, users, grant):
    operator = users["school_operator"]
    make_voucher(operator, project=grant)

    def add_rows():
        for year in range(2006, 2025):
            make_voucher(operator, project=grant, year=year)

    assert_constant(api, token("county_operator").value, "/api/v1/vouchers/", add_rows)


def test_recipient_lists(token, api, users, grant):
    school = users["school_operator"].unit
    make_list(school, 1, batch=1)

    def add_rows():
        for batch in range(2, 21):
            make_list(school, batch, batch=batch)

    assert_constant(api, token("county_operator").value, "/api/v1/recipient-lists/", add_rows)


@pytest.mark.parametrize("username", ["school_operator", "county_operator"])  # full, masked
def test_recipient_rows(token, api, users, grant, username):
    school = users["school_operator"].unit
    one = make_list(school, 1, term="spring")
    twenty = make_list(school, *range(1, 21))
    value = token(username).value
    api(value, "get", f"/api/v1/recipient-lists/{one.pk}/rows/")  # warm-up
    few = counted(api, value, f"/api/v1/recipient-lists/{one.pk}/rows/")
    many = counted(api, value, f"/api/v1/recipient-lists/{twenty.pk}/rows/")
    assert (few[1], many[1]) == (1, 20)
    assert few[0] == many[0]


def test_register_imports(token, api, users):
    admin = users["sysadmin"]

    def snapshot(month: str):
        job = job_create(kind="register_import", params={}, actor=admin, enqueue=False)
        Snapshot.objects.create(kind="enrolment_vocational", month=month, job=job)

    snapshot("2024-01")

    def add_rows():
        for i in range(19):
            snapshot(f"{2000 + i}-01")

    assert_constant(api, token("sysadmin").value, "/api/v1/registers/", add_rows)


def test_runs(token, api, users):
    def run(month: str):
        made = make_run(month)
        made.job = job_create(kind="selfcheck", params={}, actor=users["sysadmin"], enqueue=False)
        made.save(update_fields=["job"])

    run("2024-01")

    def add_rows():
        for i in range(19):
            run(f"{2000 + i}-02")

    assert_constant(api, token("sysadmin").value, "/api/v1/runs/", add_rows)


@pytest.mark.parametrize("username", ["school_operator", "county_operator"])  # full, masked
def test_findings(token, api, users, grant, username):
    school = users["school_operator"].unit
    recipients = make_list(school, *range(1, 21), batch=1)
    rows = list(recipients.rows.order_by("pk"))
    run = make_run()
    # rule 14 names a counterpart school and the projects there three years ago: the page's
    # two extra queries (finding_rows) are made from the first such row on
    make_finding(run, school, rule=14, pid=1, row=rows[0])

    def add_rows():
        for i, row in enumerate(rows[1:], start=2):
            make_finding(run, school, rule=(14, 23, 4, 21)[i % 4], pid=i, row=row)

    assert_constant(api, token(username).value, "/api/v1/findings/", add_rows)


def test_jobs(token, api, users):
    operator = users["school_operator"]

    def job():
        job_create(kind="recipients_import", params={}, actor=operator, enqueue=False)

    job()

    def add_rows():
        for _ in range(19):
            job()

    assert_constant(api, token("county_operator").value, "/api/v1/jobs/", add_rows)
