"""The status flow (ADR 0006): authorities submit; school operators submit for review and the
school's reviewer approves or returns; deadlines lock, the level above unlocks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.funds.conftest import YEAR, _project
from zizhu.audit.models import AuditEvent
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.funds.models import Deadline, Filing, FilingStatus, SourceLevel
from zizhu.funds.services import (
    allocation_create,
    deadline_set,
    filing_approve,
    filing_create,
    filing_return,
    filing_submit,
    filing_unlock,
    filing_update,
    filings_lock_overdue,
    receipt_confirm,
)

from .factories import fill_document

D = Decimal
P = SourceLevel.PROVINCIAL


def fresh(filing: Filing) -> Filing:
    return Filing.objects.select_related("unit", "project").get(pk=filing.pk)


@pytest.fixture
def county(tree, grant, users):
    return filing_create(
        unit=tree["610112"], year=YEAR, project=grant, actor=users["county_operator"]
    )


@pytest.fixture
def school(tree, grant, users):
    return filing_create(
        unit=tree["3661000001"], year=YEAR, project=grant, actor=users["school_operator"]
    )


def set_deadline(users, grant, *, unit="county_operator", days: float):
    user = users[unit]
    return deadline_set(
        unit=user.unit,
        year=YEAR,
        project=grant,
        due_at=timezone.now() + timedelta(days=days),
        actor=user,
    )


def test_it_submits_an_authority_filing_only_with_the_document_and_its_pdf(county, users):
    operator = users["county_operator"]
    with pytest.raises(ValidationError, match="本级文号、发文日期、发文标题、正文附件"):
        filing_submit(filing=county, actor=operator)
    county = fill_document(county, operator)
    submitted = filing_submit(filing=county, actor=operator)
    assert submitted.status == FilingStatus.SUBMITTED
    first = submitted.submitted_at
    assert first is not None
    # still editable after submitting, and the first submission time is kept
    filing_update(filing=submitted, version=submitted.version, doc_title="改", actor=operator)
    assert fresh(county).submitted_at == first
    event = AuditEvent.objects.get(action="funds.filing_submit")
    assert (event.detail["from"], event.detail["to"]) == ("draft", "submitted")


def test_it_sends_a_school_filing_through_the_schools_review(school, users):
    operator, reviewer = users["school_operator"], users["school_reviewer"]
    with pytest.raises(PermissionDenied):
        filing_submit(filing=school, actor=reviewer)  # the reviewer does not file
    pending = filing_submit(filing=school, actor=operator)
    assert (pending.status, pending.submitted_at) == (FilingStatus.PENDING, None)
    with pytest.raises(PermissionDenied):
        filing_approve(filing=school, actor=operator)  # nor approves the operator
    with pytest.raises(ValidationError, match="退回原因"):
        filing_return(filing=school, comment="  ", actor=reviewer)
    returned = filing_return(filing=school, comment="到位时间有误", actor=reviewer)
    assert (returned.status, returned.review_comment) == (FilingStatus.RETURNED, "到位时间有误")
    filing_submit(filing=school, actor=operator)
    approved = filing_approve(filing=school, actor=reviewer)
    assert approved.status == FilingStatus.SUBMITTED
    assert approved.submitted_at is not None and approved.review_comment == ""
    actions = list(
        AuditEvent.objects.filter(action__startswith="funds.filing_")
        .exclude(action="funds.filing_create")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == [
        "funds.filing_submit",
        "funds.filing_return",
        "funds.filing_submit",
        "funds.filing_approve",
    ]


def test_it_keeps_a_school_filing_awaiting_review_out_of_the_operators_hands(tree, users):
    school_aid = _project("school_aid", "学校资助", "any", category="school")
    operator = users["school_operator"]
    filing = filing_create(unit=tree["3661000001"], year=YEAR, project=school_aid, actor=operator)
    with pytest.raises(ValidationError, match="学校资金、其他资金"):
        filing_submit(filing=filing, actor=operator)
    filing = filing_update(
        filing=filing, version=1, school_funds=D("10.00"), other_funds=D("0"), actor=operator
    )
    filing_submit(filing=filing, actor=operator)
    with pytest.raises(ValidationError, match="待审核的填报不能修改"):
        filing_update(filing=filing, version=3, school_funds=D("11.00"), actor=operator)


def test_it_refuses_another_schools_reviewer(school, users, tree):
    filing_submit(filing=school, actor=users["school_operator"])
    from zizhu.accounts.models import User

    stranger = User.objects.create(
        username="other_reviewer", role="school_reviewer", unit=tree["3661000002"]
    )
    with pytest.raises(PermissionDenied):
        filing_approve(filing=school, actor=stranger)


def test_it_freezes_a_filing_after_the_deadline_even_before_the_lock_task_runs(
    school, grant, users
):
    set_deadline(users, grant, days=-1)
    with pytest.raises(ValidationError, match="已过填报截止时间"):
        filing_submit(filing=fresh(school), actor=users["school_operator"])
    assert fresh(school).status == FilingStatus.DRAFT  # an unsubmitted filing is not "filed"


def test_it_creates_only_an_empty_filing_after_the_deadline(tree, grant, users):
    set_deadline(users, grant, unit="prefecture_operator", days=-1)
    operator = users["county_operator"]
    with pytest.raises(ValidationError, match="已过填报截止时间"):
        filing_create(
            unit=tree["610112"], year=YEAR, project=grant, own_funds=D("5.00"), actor=operator
        )
    empty = filing_create(unit=tree["610112"], year=YEAR, project=grant, actor=operator)
    assert empty.status == FilingStatus.DRAFT


def test_it_locks_submitted_filings_at_the_deadline_and_late_ones_stay_late(
    county, school, grant, users
):
    fill_document(county, users["county_operator"])
    county = filing_submit(filing=fresh(county), actor=users["county_operator"])
    filing_submit(filing=school, actor=users["school_operator"])
    filing_approve(filing=school, actor=users["school_reviewer"])
    set_deadline(users, grant, days=-1)  # county 610112 → its schools
    set_deadline(users, grant, unit="prefecture_operator", days=-1)  # 610100 → its counties
    # deadline_set locks what is already due; the task finds nothing left
    assert fresh(school).status == FilingStatus.LOCKED
    assert fresh(county).status == FilingStatus.LOCKED
    assert filings_lock_overdue() == 0
    with pytest.raises(ValidationError, match="已锁定"):
        filing_return(filing=fresh(school), comment="x", actor=users["school_reviewer"])


def test_it_has_the_periodic_task_lock_what_became_overdue(school, grant, users):
    filing_submit(filing=school, actor=users["school_operator"])
    filing_approve(filing=school, actor=users["school_reviewer"])
    set_deadline(users, grant, days=1)
    assert filings_lock_overdue() == 0
    assert filings_lock_overdue(now=timezone.now() + timedelta(days=2)) == 1
    assert fresh(school).status == FilingStatus.LOCKED
    event = AuditEvent.objects.get(action="funds.filings_lock")
    assert event.detail == {"count": 1, "filings": [school.pk]}


def test_it_runs_the_lock_as_a_periodic_huey_task(school, grant, users):
    from zizhu.funds.tasks import lock_overdue

    filing_submit(filing=school, actor=users["school_operator"])
    filing_approve(filing=school, actor=users["school_reviewer"])
    set_deadline(users, grant, days=1)
    Deadline.objects.update(due_at=timezone.now() - timedelta(seconds=1))  # the time passes
    assert lock_overdue.name == "funds.lock_overdue"
    lock_overdue.call_local()
    assert fresh(school).status == FilingStatus.LOCKED


def test_it_lets_the_setter_unlock_until_a_time_and_then_locks_again(school, grant, users):
    filing_submit(filing=school, actor=users["school_operator"])
    filing_approve(filing=school, actor=users["school_reviewer"])
    set_deadline(users, grant, days=-1)
    until = timezone.now() + timedelta(hours=2)
    with pytest.raises(PermissionDenied):  # the prefecture did not set this deadline
        filing_unlock(
            filing=fresh(school), until=until, reason="x", actor=users["prefecture_operator"]
        )
    with pytest.raises(ValidationError, match="解锁原因"):
        filing_unlock(filing=fresh(school), until=until, reason=" ", actor=users["county_operator"])
    unlocked = filing_unlock(
        filing=fresh(school), until=until, reason="补正数据", actor=users["county_operator"]
    )
    assert (unlocked.status, unlocked.unlocked_until) == (FilingStatus.SUBMITTED, until)
    # the school's reviewer may return it and the operator correct and resubmit it
    filing_return(filing=fresh(school), comment="请补正", actor=users["school_reviewer"])
    filing_submit(filing=fresh(school), actor=users["school_operator"])
    approved = filing_approve(filing=fresh(school), actor=users["school_reviewer"])
    assert approved.submitted_at < approved.unlocked_until  # the first approval's time
    assert filings_lock_overdue() == 0  # unlocked: not yet
    assert filings_lock_overdue(now=until + timedelta(minutes=1)) == 1
    event = AuditEvent.objects.get(action="funds.filing_unlock")
    assert event.detail["reason"] == "补正数据"
    assert (event.detail["from"], event.detail["to"]) == ("locked", "submitted")


def test_it_refuses_unlocking_a_filing_of_the_top_unit(central_filing, central_operator):
    # the ministry has no authority above it to unlock its filing
    with pytest.raises(PermissionDenied):
        filing_unlock(
            filing=fresh(central_filing),
            until=timezone.now() + timedelta(hours=1),
            reason="x",
            actor=central_operator,
        )


def test_it_marks_a_filing_submitted_after_the_deadline_as_late(school, grant, users):
    deadline = set_deadline(users, grant, days=-1)
    filing_unlock(
        filing=fresh(school),
        until=timezone.now() + timedelta(hours=1),
        reason="迟报",
        actor=users["county_operator"],
    )
    filing_submit(filing=fresh(school), actor=users["school_operator"])
    approved = filing_approve(filing=fresh(school), actor=users["school_reviewer"])
    assert approved.submitted_at > deadline.due_at


def test_it_reopens_locked_filings_when_the_deadline_moves_into_the_future(school, grant, users):
    filing_submit(filing=school, actor=users["school_operator"])
    filing_approve(filing=school, actor=users["school_reviewer"])
    set_deadline(users, grant, days=-1)
    assert fresh(school).status == FilingStatus.LOCKED
    set_deadline(users, grant, days=3)
    assert fresh(school).status == FilingStatus.SUBMITTED
    events = AuditEvent.objects.filter(action="funds.deadline_set").order_by("pk")
    assert events.last().detail["filings_reopened"] == [school.pk]


def test_it_refuses_a_deadline_from_a_school_or_a_read_only_role(tree, grant, users):
    for username in ("school_operator", "county_supervisor"):
        with pytest.raises(PermissionDenied):
            set_deadline(users, grant, unit=username, days=1)


def test_it_keeps_allocations_and_receipts_possible_on_a_locked_filing(
    tree, grant, province_filing, users
):
    prefecture = allocation_create(
        source=province_filing,
        target_unit=tree["610100"],
        amounts={P: D("120.00")},
        actor=users["province_operator"],
    ).to_filing
    county = allocation_create(
        source=prefecture, target_unit=tree["610112"], amounts={P: D("50.00")}, actor=None
    ).to_filing
    fill_document(county, users["county_operator"])
    filing_submit(filing=fresh(county), actor=users["county_operator"])
    set_deadline(users, grant, unit="prefecture_operator", days=-1)
    assert fresh(county).status == FilingStatus.LOCKED
    allocation_create(
        source=prefecture,
        target_unit=tree["610112"],
        amounts={P: D("30.00")},
        actor=users["prefecture_operator"],
    )
    receipt = receipt_confirm(
        filing=fresh(county), arrival_date=timezone.localdate(), actor=users["county_operator"]
    )
    assert receipt.allocations.count() == 2
    allocation_create(
        source=fresh(county),
        target_unit=tree["3661000001"],
        amounts={P: D("80.00")},
        actor=users["county_operator"],
    )
    with pytest.raises(ValidationError, match="已锁定"):
        filing_update(
            filing=fresh(county),
            version=fresh(county).version,
            own_funds=D("1.00"),
            actor=users["county_operator"],
        )
    assert ledger_discrepancies() == []
