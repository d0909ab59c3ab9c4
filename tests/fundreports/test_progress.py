"""资金填报进展: counts per child unit against counts computed here, by plain Python over the
fixture's own inputs (tests/conftest.py TREE, STATES and DEADLINES of this folder's conftest)."""

import io
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import TREE
from zizhu.audit.models import AuditEvent
from zizhu.catalogue.models import AidProject
from zizhu.fundreports import progress
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create
from zizhu.units.models import Unit
from zizhu.units.services import UnitRow, units_import

from .conftest import DEADLINES, STATES, YEAR, at

PARENT = {row.code: row.parent_code for row in TREE}
LEVEL = {row.code: row.level for row in TREE}
STAGE = {row.code: row.stage for row in TREE}
URL = "/funds/reports/progress/national/"


def _expected(code: str) -> bool:  # a 中职 project: every authority, the 中职 schools
    return LEVEL[code] != "school" or STAGE[code] == "vocational"


def _child_of(node: str, code: str) -> str | None:
    """The child of `node` on the way up from `code`, or None when `code` is not below."""
    while code in PARENT:
        if PARENT[code] == node:
            return code
        code = PARENT[code]
    return None


def figures(node: str, expected=_expected, states=STATES, deadlines=DEADLINES) -> dict:
    """child → (expected, filed, on time, late, not filed), from the inputs alone."""
    counts = defaultdict(lambda: [0, 0, 0, 0, 0])
    for code in PARENT:
        child = _child_of(node, code)
        if child is None or not expected(code):
            continue
        status, submitted_at = states.get(code, ("", None))
        row = counts[child]
        row[0] += 1
        if status in ("submitted", "locked"):
            row[1] += 1
            due = deadlines.get(PARENT[code])
            row[3 if due and submitted_at > due else 2] += 1
        else:
            row[4] += 1
    return {child: tuple(row) for child, row in counts.items()}


def shown(response) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        row.unit.code: (
            row.counts.expected,
            row.counts.filed,
            row.counts.on_time,
            row.counts.late,
            row.counts.not_filed,
        )
        for row in response.context["rows"]
    }


def get(client, grant, **params):
    query = {"year": YEAR, "project": grant.pk, **params}
    return client.get(URL, query)


@pytest.mark.parametrize("node", ["610000", "610100", "610112", "610111"])
def test_it_counts_each_child_units_filings_as_computed_from_the_inputs(
    login, users, filings, grant, node
):
    client = login(users["province_operator"])
    response = get(client, grant, unit=node)
    assert response.status_code == 200
    assert shown(response) == figures(node)
    total = response.context["total"]
    expected = figures(node).values()
    assert (total.expected, total.filed, total.late) == (
        sum(r[0] for r in expected),
        sum(r[1] for r in expected),
        sum(r[3] for r in expected),
    )


def test_it_expects_school_aid_from_every_school_and_no_authority(login, users, tree):
    # a project of any stage (the seeded school-aid projects are per stage)
    school_aid, _ = AidProject.objects.get_or_create(
        code="school_aid", defaults={"name": "学校资助", "stage": "any", "category": "school"}
    )
    states = {"3661000001": ("submitted", at(4, 1)), "4161000001": ("pending", None)}
    for code, (status, submitted_at) in states.items():
        filing = filing_create(
            unit=tree[code], year=YEAR, project=school_aid, school_funds=Decimal(5), actor=None
        )
        Filing.objects.filter(pk=filing.pk).update(status=status, submitted_at=submitted_at)
    client = login(users["province_operator"])
    response = client.get("/funds/reports/progress/school/", {"year": YEAR})
    assert response.context["report"].project == school_aid
    assert (
        shown(response)
        == figures("610000", lambda code: LEVEL[code] == "school", states, {})
        == {"610100": (3, 1, 1, 0, 2), "4161000001": (1, 0, 0, 0, 1)}
    )
    assert response.context["own"] is None  # the province files no school aid


def test_it_gives_the_figures_of_the_fixture(login, users, filings, grant):
    # spelled out once, so that a mistake shared by the code and `figures` would show
    response = get(login(users["province_operator"]), grant)
    assert shown(response) == {"610100": (6, 4, 2, 2, 2)}
    assert response.context["total"].percent == Decimal("66.7")
    assert response.context["report"].node.code == "610000"


def test_it_reports_the_nodes_own_filing_against_its_parents_deadline(login, users, filings, grant):
    client = login(users["prefecture_operator"])
    own = get(client, grant).context["own"]
    assert (own.filed, own.late) == (True, True)  # 03-05 after the province's 03-01
    own = get(client, grant, unit="610111").context["own"]
    assert (own.filed, own.status) == (False, "draft")


def test_it_lists_the_units_that_have_not_filed(login, users, filings, grant):
    client = login(users["prefecture_operator"])
    # below a county the children are schools: the list is shown without asking
    page = get(client, grant, unit="610112").context["missing_page"]
    assert [u.code for u in page] == ["3661000002"]
    # the "not filed" link of a child: that child's subtree, the child itself included
    page = get(client, grant, missing="610111").context["missing_page"]
    assert [(u.code, u.filing_status) for u in page] == [("610111", "draft")]
    page = get(client, grant, missing="610100").context["missing_page"]
    assert sorted(u.code for u in page) == ["3661000002", "610111"]
    assert get(client, grant).context["missing_page"] is None


def test_it_defaults_to_the_latest_year_and_the_first_project_with_filings(
    login, users, filings, grant, tree
):
    client = login(users["county_operator"])
    response = client.get(URL)
    assert (response.context["report"].year, response.context["report"].project) == (YEAR, grant)
    assert response.context["form"]["project"].value() == grant.pk
    # a project asked for is kept, with or without filings
    other = AidProject.objects.get(code="compulsory_nutrition")
    assert client.get(URL, {"project": other.pk}).context["report"].project == other


def test_it_answers_404_for_units_outside_the_scope(login, users, filings, grant):
    client = login(users["county_operator"])
    assert get(client, grant, unit="610111").status_code == 404
    assert get(client, grant, missing="3661000003").status_code == 404
    # a unit in scope but not below the chosen node
    client = login(users["prefecture_operator"])
    assert get(client, grant, unit="610112", missing="610111").status_code == 404


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("neighbour_operator", "610112"),  # a sibling county
        ("county_operator", "610111"),
        ("sysadmin", "610000"),  # no VIEW at all
    ],
)
def test_it_selects_nothing_for_a_node_outside_the_users_scope(
    users, tree, filings, grant, username, code
):
    user, node = users[username], tree[code]
    # the province sees units there; the user, none
    assert progress.expected_below(users["province_operator"], node, grant).exists()
    assert progress.progress_by_child(user, node, YEAR, grant) == []
    assert not progress.expected_below(user, node, grant).exists()
    assert progress.own_filing(user, node, YEAR, grant) is None
    assert not progress.not_filed(user, node, node, YEAR, grant).exists()


def test_it_counts_only_the_users_scope_below_a_node_above_it(users, tree, filings, grant):
    user, county = users["school_operator"], tree["610112"]  # sees school 3661000001 only
    rows = progress.progress_by_child(user, county, YEAR, grant)
    assert [(r.unit.code, r.counts.expected, r.counts.filed) for r in rows] == [
        ("3661000001", 1, 1)
    ]
    assert progress.own_filing(user, county, YEAR, grant) is None
    assert not progress.not_filed(user, county, county, YEAR, grant).exists()


def test_it_exports_the_child_table_and_the_not_filed_list(login, users, filings, grant):
    client = login(users["prefecture_operator"])
    response = client.get(URL + "export.xlsx", {"year": YEAR, "project": grant.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    *rows, total = [tuple(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert total[1] == "合计" and total[3] == sum(r[3] for r in rows)
    assert [(r[0], *r[3:8]) for r in rows] == [
        (code, *figures("610100")[code]) for code in ("610111", "610112")
    ]
    response = client.get(
        URL + "export.xlsx", {"year": YEAR, "project": grant.pk, "missing": "610100"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    codes = sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True))
    assert codes == ["3661000002", "610111"]
    events = AuditEvent.objects.filter(action="fundreports.progress_export")
    assert [e.detail["table"] for e in events.order_by("pk")] == ["children", "not_filed"]


COUNTIES = ["610102", "610103", "610104", "610113", "610114", "610115", "610116", "610117"]


def widen(tree, grant) -> None:
    """Eight more counties under 610100, two 中职 schools each, one of them filed."""
    rows = [UnitRow(code, f"区{code}", "county", "610100") for code in COUNTIES]
    for n, county in enumerate(COUNTIES):
        rows += [
            UnitRow(f"36610001{n}{k}", f"职校{n}{k}", "school", county, stage="vocational")
            for k in (1, 2)
        ]
    units_import(rows=rows)
    for n in range(len(COUNTIES)):
        school = Unit.objects.get(code=f"36610001{n}1")
        filing = filing_create(unit=school, year=YEAR, project=grant, actor=None)
        Filing.objects.filter(pk=filing.pk).update(status="submitted", submitted_at=at(2, 2))


def test_it_runs_as_many_queries_for_two_children_as_for_ten(
    login, users, tree, filings, grant, django_assert_num_queries
):
    client = login(users["prefecture_operator"])
    get(client, grant)  # the session's first request loads what later ones reuse
    with CaptureQueriesContext(connection) as few:
        response = get(client, grant)
    assert len(response.context["rows"]) == 2
    widen(tree, grant)
    with django_assert_num_queries(len(few)):
        response = get(client, grant)
    assert len(response.context["rows"]) == 10
    assert shown(response)["610102"] == (3, 1, 1, 0, 2)
    assert response.context["total"].expected == 5 + 3 * len(COUNTIES)  # 610100 not counted


def test_it_lists_many_units_not_filed_in_as_many_queries_as_few(
    login, users, tree, filings, grant, django_assert_num_queries
):
    client = login(users["prefecture_operator"])
    get(client, grant, missing="610100")
    with CaptureQueriesContext(connection) as few:
        get(client, grant, missing="610100")
    widen(tree, grant)
    with django_assert_num_queries(len(few)):
        response = get(client, grant, missing="610100")
    assert len(response.context["missing_page"]) == 2 + 2 * len(COUNTIES)


# the per-child table's body as the template wrote it before the rows were built in Python
ROWS_TEMPLATE = """{% load i18n %}{% for row in rows %}
      <tr>
        <td>{{ row.unit.code }}</td>
        <td>{% if row.unit.is_authority %}<a href="{% url list_url %}?{{ base_query }}&amp;unit={{ row.unit.code }}">{{ row.unit.name }}</a>{% else %}{{ row.unit.name }}{% endif %}</td>
        <td>{{ row.unit.get_level_display }}</td>
        <td class="num">{{ row.counts.expected }}</td><td class="num">{{ row.counts.filed }}</td><td class="num">{{ row.counts.on_time }}</td><td class="num">{{ row.counts.late }}</td>
        <td class="num">{% if row.counts.not_filed %}<a href="{% url list_url %}?{{ base_query }}&amp;unit={{ node.code }}&amp;missing={{ row.unit.code }}">{{ row.counts.not_filed }}</a>{% else %}0{% endif %}</td>
        <td class="num">{{ row.counts.percent|percent }}</td>
      </tr>
    {% endfor %}"""  # noqa: E501 - the old template's lines, kept as they were


@pytest.mark.parametrize("node", ["610000", "610100", "610112"])
def test_the_child_rows_are_what_the_template_wrote(login, users, filings, grant, node):
    """Authorities (with a drill-down link) and schools, all filed (0) and not, no one
    expected (—), a name to escape: each row reads as the template wrote it."""
    from django.template import engines
    from django.utils import translation

    Unit.objects.filter(code__in=["610100", "3661000001"]).update(name='名<&">')
    response = get(login(users["province_operator"]), grant, unit=node)
    context = response.context
    template = engines["django"].from_string(ROWS_TEMPLATE)
    with translation.override("zh-hans"):
        expected = template.render(
            {key: context[key] for key in ("rows", "base_query", "node", "list_url")}
        )
    assert context["rows"] and str(context["rows_html"]) == expected
    html = response.content.decode()
    assert f"<tbody>\n    {expected}\n    </tbody>" in html
    if node != "610112":
        assert "名&lt;&amp;&quot;&gt;" in expected or node == "610100"


@pytest.mark.parametrize(
    "order",
    [
        ["province_operator", "prefecture_operator", "county_operator"],
        ["county_operator", "prefecture_operator", "province_operator"],
    ],
)
def test_the_overdue_to_do_counts_what_the_not_filed_list_holds(
    users, filings, grant, order, monkeypatch
):
    """The home page's count of children past a deadline, its query compiled once for the
    three operators, is each one's own count of the progress page's not-filed list."""
    from zizhu.fundreports.todo import _not_filed_children
    from zizhu.funds.models import Deadline
    from zizhu.lib import compiled

    monkeypatch.setattr(compiled, "_SQL", {})
    counts = []
    for username in order:
        user = users[username]
        deadline = Deadline.objects.select_related("project").get(unit=user.unit, year=YEAR)
        missing = progress.not_filed(user, user.unit, user.unit, YEAR, grant)
        counts.append(_not_filed_children(user, deadline))
        assert counts[-1] == missing.filter(parent=user.unit).count(), username
    assert len(compiled._SQL) == 1 and any(counts) and len(set(counts)) > 1


@pytest.mark.parametrize("node", ["000000", "610000", "610100", "610112"])
def test_the_child_code_is_the_path_segment_after_the_node(tree, node):
    """`child_code` (split_part on PostgreSQL, substr/instr elsewhere) against the segment
    read here from each unit's path, for every unit strictly below the node."""
    from zizhu.fundreports.tree import child_code

    unit = Unit.objects.get(code=node)
    below = Unit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk)
    found = dict(below.annotate(child=child_code(unit)).values_list("code", "child"))
    expected = {u.code: u.path[len(unit.path) :].split("/")[0] for u in below}
    assert found == expected and len(found) > 1
