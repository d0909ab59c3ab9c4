"""The progress page's queries, compiled once per shape (zizhu.lib.compiled), answer what the
plain ORM answers: for users from the centre down to a school, at their own unit and at a
unit below or above it, for two years and projects of every kind (authorities and schools
file, only schools file, a stage or any stage). Each shape is compiled for the first user
that asks and run for the others, in both orders, so a value of one call baked into the SQL
would give the next user the first one's answer."""

import pytest

from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject, Category
from zizhu.fundreports import details, progress
from zizhu.lib import compiled

from .conftest import ALLOCATIONS, YEAR, at, build_filings

# username → the nodes the user asks about (the own unit, one below it, one above it)
ASKS = {
    "central_operator": ["000000", "610100"],
    "province_operator": ["610000", "610112"],
    "prefecture_operator": ["610100", "610111"],
    "county_operator": ["610112", "610000"],  # a node above: only the county's part counts
    "county_leader": ["610112"],
    "school_operator": ["3661000001"],  # not a page of school users; the reads answer alike
    "neighbour_school_operator": ["3661000003"],
}
# the year before: other filings, other states
EARLIER = {
    "610000": ("submitted", at(1, 5)),
    "610100": ("submitted", at(3, 20)),
    "610112": ("draft", None),
    "610111": ("submitted", at(2, 1)),
    "3661000001": ("locked", at(1, 2)),
    "3661000003": ("draft", None),
}
PROJECTS = [
    "vocational_national_grant",  # authorities and 中职 schools
    "vocational_school_scholarship",  # 中职 schools only
    "local_any_stage",  # authorities and every school
    "local_vocational",  # authorities and 中职 schools, of the same category
    "higher_national_grant",  # no filings: authorities and the one 高校
]
COUNTED = [
    (progress._children, progress.CHILDREN_VALUES),
    (progress._live_rows, progress.LIVE_VALUES),
    (progress._school_rows, progress.SCHOOL_VALUES),
    (progress._filing_rows, progress.FILING_VALUES),
    (progress._own_query, progress.OWN_VALUES),
]


@pytest.fixture
def world(tree, users, filings, grant):
    """The fixture's filings of 2025, other ones of 2024, a local project of any stage filed
    by the province, a county and a school in 2025, one of a stage that nobody filed; a user
    at the centre."""
    build_filings(tree, grant, year=YEAR - 1, states=EARLIER, allocations=ALLOCATIONS)
    anywhere = AidProject.objects.create(
        code="local_any_stage", name="地方任意学段资助", category=Category.LOCAL, stage="any"
    )
    AidProject.objects.create(
        code="local_vocational", name="地方中职资助", category=Category.LOCAL, stage="vocational"
    )
    build_filings(
        tree,
        anywhere,
        states={code: EARLIER[code] for code in ("610000", "610100", "610112", "3661000001")},
        allocations=ALLOCATIONS[:2] + ALLOCATIONS[4:],
    )
    users["central_operator"] = User.objects.create(
        username="central_operator", role="operator", unit=tree["000000"]
    )
    return users


def _asks(users, tree, order):
    projects = {p.code: p for p in AidProject.objects.filter(code__in=PROJECTS)}
    for username in order:
        for code in ASKS[username]:
            for year in (YEAR, YEAR - 1):
                for name in PROJECTS:
                    yield progress._Ask(users[username], tree[code], year, projects[name])


def _child_sorted(rows) -> list:
    return sorted(rows, key=lambda row: tuple(str(v) for v in row.values()))


@pytest.fixture
def fresh(monkeypatch):
    """No compiled query kept from an earlier test: each shape compiled here, once."""
    monkeypatch.setattr(compiled, "_SQL", {})
    monkeypatch.setattr(compiled, "_COLUMNS", {})


@pytest.mark.parametrize("order", [list(ASKS), list(reversed(ASKS))])
def test_the_counting_queries_answer_as_the_plain_orm(world, tree, fresh, order):
    answers: dict[tuple, set] = {}  # shape → the distinct plain answers it gave
    for ask in _asks(world, tree, order):
        for build, names in COUNTED:
            plain = _child_sorted(build(ask))
            found = _child_sorted(progress._rows(build, ask, names))
            assert found == plain, (build.__name__, ask)
            shape = progress._compiled_args(build, ask, names)[0]
            answers.setdefault(shape, set()).add(repr(plain))
    # every query was run by shapes whose answers differ from one call to the next
    for build, _names in COUNTED:
        assert any(len(seen) > 2 for shape, seen in answers.items() if build.__name__ in shape)
    assert len(compiled._SQL) == len(answers) < 100


@pytest.mark.parametrize("order", [list(ASKS), list(reversed(ASKS))])
def test_the_not_filed_list_answers_as_the_plain_orm(world, tree, fresh, order):
    """Its number and its pages (units, parents, statuses), below each node, within each
    of its children and the node itself, the subtree or the children only."""
    counts = set()
    for ask in _asks(world, tree, order):
        for within in [ask.node, *ask.node.children.all()]:
            for children_only in (False, True):
                args = (ask.user, ask.node, within, ask.year, ask.project)
                listed = progress.NotFiledList(*args, children_only=children_only)
                plain = progress.not_filed(*args)
                if children_only:
                    plain = plain.filter(parent=within)
                assert listed.count() == plain.count()
                counts.add(listed.count())
                for start, stop in ((0, 100), (1, 3)):
                    assert [
                        (u.pk, u.code, u.name, u.level, u.parent.name, u.filing_status)
                        for u in listed[start:stop]
                    ] == [
                        (u.pk, u.code, u.name, u.level, u.parent.name, u.filing_status)
                        for u in plain[start:stop]
                    ], (ask, within, children_only)
    assert len(counts) > 3


@pytest.mark.parametrize("order", [list(ASKS), list(reversed(ASKS))])
def test_the_years_and_projects_in_scope_answer_as_the_plain_orm(world, fresh, order):
    seen = set()
    for username in order:
        user = world[username]
        for category in (Category.NATIONAL, Category.LOCAL, Category.SCHOOL):
            years = details._in_scope(user, category, "year")
            plain = details._in_scope_query(user, category, "year")
            assert sorted(years) == sorted(plain), (username, category)
            seen.add(tuple(sorted(years)))
            for year in (YEAR, YEAR - 1):
                projects = details._in_scope(user, category, "project_id", year=year)
                plain = details._in_scope_query(user, category, "project_id", year=year)
                assert sorted(projects) == sorted(plain), (username, category, year)
                seen.add(tuple(sorted(projects)))
    assert len(seen) > 3


def test_the_years_in_scope_are_only_those_filed_in_the_scope(world, tree, fresh):
    """The centre's and a province's years are asked year by year over the years of every
    filing: a year filed only in another province is not the province's, and a year in which
    only a school filed (seen through the per-authority totals) is its authorities'."""
    from zizhu.funds.services import filing_create
    from zizhu.units.models import Unit
    from zizhu.units.services import UnitRow, units_import

    grant = AidProject.objects.get(code="vocational_national_grant")
    units_import(rows=[UnitRow("620000", "甘肃省", "province", "000000")])
    filing_create(
        unit=Unit.objects.get(code="620000"), year=YEAR - 3, project=grant, own_funds=0, actor=None
    )
    filing_create(unit=tree["3661000001"], year=YEAR - 5, project=grant, own_funds=0, actor=None)
    gansu = User.objects.create(
        username="gansu_operator", role="operator", unit=Unit.objects.get(code="620000")
    )
    expected = {
        "central_operator": [YEAR, YEAR - 1, YEAR - 3, YEAR - 5],
        "province_operator": [YEAR, YEAR - 1, YEAR - 5],
        "county_operator": [YEAR, YEAR - 1, YEAR - 5],
        "neighbour_operator": [YEAR, YEAR - 1],
        "gansu_operator": [YEAR - 3],
    }
    for order in (list(expected), list(reversed(expected))):
        compiled._SQL.clear()
        for username in order:
            user = gansu if username == "gansu_operator" else world[username]
            years = details.years_in_scope(user, Category.NATIONAL)
            assert years == expected[username], username
            plain = details._in_scope_query(user, Category.NATIONAL, "year")
            assert years == sorted(plain, reverse=True), username
            local = [] if username in ("neighbour_operator", "gansu_operator") else [YEAR]
            assert details.years_in_scope(user, Category.LOCAL) == local, username


@pytest.mark.parametrize(
    "order", [["000000", "610000", "620000", "610112"], ["610112", "620000", "000000", "610000"]]
)
def test_the_projects_of_a_category_answer_as_the_plain_orm(tree, fresh, order):
    """The projects a unit's reports may name: all of them at the centre, else the nationwide
    ones and the unit's own province's (a province's, or a county's in it)."""
    from zizhu.catalogue.selectors import reported_projects
    from zizhu.units.models import Unit
    from zizhu.units.services import UnitRow, units_import

    units_import(rows=[UnitRow("620000", "甘肃省", "province", "000000")])
    units = {u.code: u for u in Unit.objects.all()}
    for code in ("610000", "620000"):
        AidProject.objects.create(
            code=f"local_{code}",
            name=f"地方资助{code}",
            category=Category.LOCAL,
            stage="any",
            province=units[code],
        )
    fields = [field.attname for field in AidProject._meta.concrete_fields]
    seen = set()
    for code in order:
        for category in Category.values:
            found = details.category_projects(category, units[code])
            plain = list(reported_projects(units[code], category).order_by("stage", "code"))
            assert [[getattr(p, f) for f in fields] for p in found] == [
                [getattr(p, f) for f in fields] for p in plain
            ], (code, category)
            assert not any(p._state.adding for p in found)
            seen.add(tuple(p.code for p in found))
    assert len(seen) > len(Category.values)


def test_an_empty_page_of_the_not_filed_list_runs_no_query(
    world, tree, grant, django_assert_num_queries
):
    """As a queryset's empty slice: a list with nobody missing costs its count only."""
    user = world["prefecture_operator"]
    listed = progress.NotFiledList(user, tree["610100"], tree["3661000001"], YEAR, grant)
    assert listed.count() == 0
    with django_assert_num_queries(0):
        assert listed[0:0] == []
