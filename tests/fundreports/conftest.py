"""Filings of 中职国家助学金 2025 in the fixture tree, made with the funds services; statuses
and submission times are set directly (the submit services are not the subject here).

    610000 province   own 1000.00, submitted 02-01 (no deadline above it)
    └ 610100 pref.    received 600.00 from 610000, submitted 03-05, deadline 03-01 → late
      ├ 610112 county received 200.00, submitted 02-20, deadline 03-01 → on time
      │ ├ 3661000001  received 120.00, submitted 03-10, deadline 03-05 → late
      │ └ 3661000002  no filing
      └ 610111 county received 100.00, draft (not filed)
        └ 3661000003  locked, submitted 02-01, no deadline → on time
    4161000001 (higher): not concerned by a 中职 project
"""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zizhu.catalogue.models import AidProject
from zizhu.funds.models import Deadline, Filing
from zizhu.funds.services import allocation_create, filing_create

YEAR = 2025
TZ = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int) -> datetime:
    return datetime(YEAR, month, day, 12, 0, tzinfo=TZ)


# code → (status, submitted_at) set after the services made the filings
STATES = {
    "610000": ("submitted", at(2, 1)),
    "610100": ("submitted", at(3, 5)),
    "610112": ("submitted", at(2, 20)),
    "610111": ("draft", None),
    "3661000001": ("submitted", at(3, 10)),
    "3661000003": ("locked", at(2, 1)),
}
# setter code → due_at (applies to the setter's direct children)
DEADLINES = {"610000": at(3, 1), "610100": at(3, 1), "610112": at(3, 5)}
# (from, to, {source level: amount})
ALLOCATIONS = [
    ("610000", "610100", {"provincial": Decimal("600.00")}),
    ("610100", "610112", {"provincial": Decimal("150.00")}),
    ("610100", "610112", {"provincial": Decimal("50.00")}),
    ("610100", "610111", {"provincial": Decimal("100.00")}),
    ("610112", "3661000001", {"provincial": Decimal("120.00")}),
]
OWN_FUNDS = {"610000": Decimal("1000.00")}


def build_filings(tree, project, *, year=YEAR, states=STATES, allocations=ALLOCATIONS) -> dict:
    """The filings of `states` and `allocations` (services), states and deadlines applied."""
    filings = {}
    for code in states:
        if code in OWN_FUNDS or not any(to == code for _f, to, _a in allocations):
            filings[code] = filing_create(
                unit=tree[code],
                year=year,
                project=project,
                own_funds=OWN_FUNDS.get(code, Decimal("0.00")),
                actor=None,
            )
    for source, target, amounts in allocations:
        allocation = allocation_create(
            source=filings[source], target_unit=tree[target], amounts=amounts, actor=None
        )
        filings[target] = allocation.to_filing
    for code, (status, submitted_at) in states.items():
        Filing.objects.filter(pk=filings[code].pk).update(status=status, submitted_at=submitted_at)
    for code, due_at in DEADLINES.items():
        Deadline.objects.create(unit=tree[code], year=year, project=project, due_at=due_at)
    return filings


@pytest.fixture
def grant(db):
    return AidProject.objects.get(code="vocational_national_grant")


@pytest.fixture
def filings(tree, grant):
    return build_filings(tree, grant)
