"""Every business role's home page has its to-do (待办事项): each line is a count that links to
exactly the list it counts — the test follows every link and counts the rows there — and
supervisors and centre leaders see the key figures of their subtree, each linking to its
report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.anomalies.factories import make_explanation, make_finding, make_run
from tests.conftest import login_as
from tests.recipients.factories import make_list
from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject
from zizhu.funds import services as funds
from zizhu.funds.models import Deadline, Filing
from zizhu.funds.services import allocation_create, deadline_set
from zizhu.recipients import services as recipients

YEAR = 2025


@pytest.fixture
def month_of_work(users, tree):
    """A county's month: money on its way down, deadlines, filings and lists under review,
    findings open and explained."""
    grant = AidProject.objects.get(code="vocational_national_grant")
    school_aid = AidProject.objects.get(code="vocational_school_hardship")
    social_aid = AidProject.objects.get(code="vocational_social_scholarship")
    school, county, prefecture = tree["3661000001"], tree["610112"], tree["610100"]
    op, reviewer = users["school_operator"], users["school_reviewer"]

    # the prefecture pays the county, the county pays school A: neither confirmed yet
    top = funds.filing_create(
        unit=prefecture, year=YEAR, project=grant, own_funds=Decimal(5000),
        actor=users["prefecture_operator"],
    )  # fmt: skip
    allocation_create(
        source=top, target_unit=county, amounts={"prefectural": Decimal(3000)},
        actor=users["prefecture_operator"],
    )  # fmt: skip
    middle = Filing.objects.get(unit=county, year=YEAR, project=grant)  # made by the allocation
    middle = funds.filing_update(
        filing=middle, version=middle.version, own_funds=Decimal(1000),
        actor=users["county_operator"],
    )  # fmt: skip
    allocation_create(
        source=middle, target_unit=school, amounts={"county": Decimal(800)},
        actor=users["county_operator"],
    )  # fmt: skip
    # the county's deadline for its schools falls in three days; the prefecture's has passed
    deadline_set(
        unit=county, year=YEAR, project=grant, due_at=timezone.now() + timedelta(days=3),
        actor=users["county_operator"],
    )  # fmt: skip
    Deadline.objects.create(
        unit=prefecture, year=YEAR, project=grant, due_at=timezone.now() - timedelta(days=2)
    )
    # school aid returned by the reviewer, social aid awaiting review
    returned = funds.filing_create(
        unit=school,
        year=YEAR,
        project=school_aid,
        school_funds=Decimal(900),
        other_funds=Decimal(0),
        actor=op,
    )
    funds.filing_submit(filing=returned, actor=op)
    funds.filing_return(filing=returned, comment="请补充其他资金", actor=reviewer)
    pending = funds.filing_create(
        unit=school,
        year=YEAR,
        project=social_aid,
        social_funds=Decimal(500),
        other_funds=Decimal(0),
        actor=op,
    )
    funds.filing_submit(filing=pending, actor=op)
    # one list awaiting review, one returned
    waiting = make_list(school, 1, 2, actor=op)
    recipients.recipient_list_submit(recipient_list=waiting, actor=op)
    back = make_list(school, 3, batch=2, actor=op)
    recipients.recipient_list_submit(recipient_list=back, actor=op)
    recipients.recipient_list_return(recipient_list=back, comment="缺少学生", actor=reviewer)
    # findings: two open (high, national grant), one explained (tuition waiver); a neighbour's
    run = make_run()
    make_finding(run, "3661000001", rule=6, pid=1)
    make_finding(run, "3661000001", rule=9, pid=2)
    make_explanation(make_finding(run, "3661000001", rule=20, pid=3), op)
    make_finding(run, "3661000003", rule=6, pid=4)


EXPECTED = {
    "school_operator": {
        "被退回的资金填报（学校资助）": 1,
        "资金已下拨，待确认收到（国家资助）": 1,
        "7天内截止的填报（国家资助）": 1,
        "被退回的资助名单": 1,
        "待说明的异常信息（中职国家助学金，2024-10）": 2,
    },
    "school_reviewer": {
        "待审核的资金填报（社会资助）": 1,
        "待审核的资助名单": 1,
        "已说明、待上级审核的异常信息（中职国家免学费，2024-10）": 1,
    },
    "county_operator": {
        "资金已下拨，待确认收到（国家资助）": 1,
        "待审核的异常信息说明（中职国家免学费，2024-10）": 1,
    },
    "prefecture_operator": {
        "待审核的异常信息说明（中职国家免学费，2024-10）": 1,
        "已过填报截止时间未填报的下级单位（中职国家助学金，2025年）": 2,
    },
    "neighbour_school_operator": {"待说明的异常信息（中职国家助学金，2024-10）": 1},
    "neighbour_operator": {},
}


def _rows_behind(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context.get("missing_page") or response.context["page"]
    return page.paginator.count


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_line_counts_exactly_the_rows_behind_its_link(client, users, month_of_work, username):
    login_as(client, users[username])
    home = client.get("/")
    lines = home.context["todo_lines"]
    assert {line.label: line.count for line in lines} == EXPECTED[username]
    for line in lines:
        assert _rows_behind(client, line.url) == line.count, line.label
    body = home.content.decode()
    assert 'data-testid="todo"' in body
    if not lines:
        assert "暂无待办事项" in body


def test_supervisors_and_leaders_see_the_key_figures_of_their_subtree(client, users, month_of_work):
    for username in ("county_supervisor", "county_leader"):
        login_as(client, users[username])
        home = client.get("/")
        figures = {f.label: f for f in home.context["figures"]}
        # 800 allocated of 4,000 (3,000 received from the prefecture and 1,000 of its own)
        assert figures["2025年国家资助资金执行率"].value == "20.00%"
        # school A's filing is a draft, school B has none: 0 of 2 filed
        progress = figures["中职国家助学金 2025年：迟报 0，未报 2"]
        assert progress.value == "0.0%" and progress.tone == "medium"
        high = figures["未处理的高风险异常信息（中职国家助学金，2024-10）"]
        assert high.value == "2" and high.tone == "high"
        assert _rows_behind(client, high.url) == 2
        for figure in figures.values():
            assert client.get(figure.url).status_code == 200, figure.label
        assert home.context["todo_lines"] is None  # read-only roles: the figures, no to-do
        assert 'data-testid="todo"' not in home.content.decode()


def test_operators_see_no_key_figures_and_admins_no_to_do(client, users, month_of_work):
    login_as(client, users["county_operator"])
    assert client.get("/").context["figures"] == []
    login_as(client, users["sysadmin"])
    assert "todo_lines" not in client.get("/").context


@pytest.mark.parametrize("first", ["school_operator", "neighbour_school_operator"])
def test_the_returned_lists_are_counted_for_each_school_whichever_asks_first(users, first):
    """The count is compiled once per role (zizhu.lib.compiled): a school asking after another
    gets its own count, not the first one's."""
    from zizhu.recipients.models import Status
    from zizhu.recipients.selectors import lists_for
    from zizhu.recipients.todo import recipients_todo

    mine, neighbour = users["school_operator"], users["neighbour_school_operator"]
    reviewers = {
        mine: users["school_reviewer"],
        neighbour: User.objects.create(
            username="neighbour_reviewer", role=users["school_reviewer"].role, unit=neighbour.unit
        ),
    }
    for user, serials in ((mine, [(1, 2), (3, 4)]), (neighbour, [(5, 6)])):
        for batch, numbers in enumerate(serials, start=1):
            made = make_list(user.unit, *numbers, actor=user, batch=batch)
            recipients.recipient_list_submit(recipient_list=made, actor=user)
            recipients.recipient_list_return(
                recipient_list=made, comment="缺少", actor=reviewers[user]
            )
    order = [mine, neighbour] if first == "school_operator" else [neighbour, mine]
    counts = {user.username: recipients_todo(user)[0].count for user in order}
    assert counts == {"school_operator": 2, "neighbour_school_operator": 1}
    for user in order:
        expected = lists_for(user).filter(status=Status.RETURNED).count()
        assert counts[user.username] == expected
    assert recipients_todo(users["county_operator"]) == []
