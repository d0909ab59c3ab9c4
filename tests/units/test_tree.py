import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zizhu.access import Action, units_for
from zizhu.lib.tabular import TableError
from zizhu.units.models import Level, Unit
from zizhu.units.selectors import ancestors, children_with_school_counts, subtree, trail
from zizhu.units.services import UnitRow, units_import, units_validate


def test_it_builds_paths_from_the_root(tree):
    assert tree["3661000001"].path == "000000/610000/610100/610112/3661000001/"
    assert tree["3661000001"].depth == 4
    assert tree["4161000001"].path == "000000/610000/4161000001/"  # a direct school


def test_it_scopes_a_county_user_to_the_county(users):
    codes = set(units_for(users["county_operator"], Action.VIEW).values_list("code", flat=True))
    assert codes == {"610112", "3661000001", "3661000002"}


def test_it_gives_admin_roles_no_business_units(users):
    assert not units_for(users["auditor"], Action.VIEW).exists()


def test_it_reads_a_subtree_of_3000_units_in_one_query(tree):
    rows = [UnitRow(f"6101{p:02d}", f"县{p}", "county", "610100") for p in range(20, 70)]
    for p in range(20, 70):
        rows += [
            UnitRow(
                f"3661{p:02d}{s:04d}", f"学校{p}-{s}", "school", f"6101{p:02d}", stage="vocational"
            )
            for s in range(60)
        ]
    units_import(rows=rows)
    with CaptureQueriesContext(connection) as queries:
        units = list(subtree(tree["610000"]))
    assert len(units) > 3000
    assert len(queries) == 1


def test_it_counts_schools_per_child_without_a_query_per_child(tree):
    with CaptureQueriesContext(connection) as queries:
        rows = children_with_school_counts(tree["610100"])
    assert len(queries) == 2
    assert {r["unit"].code: r["schools"] for r in rows} == {"610111": 1, "610112": 2}


def test_it_refuses_a_file_with_bad_rows_and_writes_nothing(tree):
    before = Unit.objects.count()
    rows = [
        UnitRow("610199", "新县", "county", "610100", row=2),
        UnitRow("3661000009", "错学段", "school", "610199", stage="senior_high", row=3),
        UnitRow("3662000009", "错省份", "school", "610199", stage="vocational", row=4),
        UnitRow("12345", "短代码", "county", "610100", row=5),
        UnitRow("610198", "无上级", "county", "619999", row=6),
        UnitRow("3661000010", "学校下挂", "school", "3661000001", stage="vocational", row=7),
    ]
    with pytest.raises(TableError) as caught:
        units_import(rows=rows)
    problems = {(p.row, p.column) for p in caught.value.problems}
    assert problems == {
        (3, "code"),
        (4, "code"),
        (5, "code"),
        (6, "parent_code"),
        (7, "parent_code"),
    }
    assert Unit.objects.count() == before


def test_it_moves_a_subtree_when_a_parent_changes(tree):
    units_import(rows=[UnitRow("610112", "未央区", "county", "610000")])
    school = Unit.objects.get(code="3661000001")
    assert school.path == "000000/610000/610112/3661000001/"
    assert school.depth == 3


def test_it_is_idempotent(tree):
    summary = units_import(rows=[UnitRow("610112", "未央区", "county", "610100")])
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


def test_it_allows_skipped_levels(tree):
    units_import(
        rows=[
            UnitRow("110101", "东城区", "county", "110000"),
            UnitRow("110000", "北京市", "province", "000000"),
        ]
    )
    assert Unit.objects.get(code="110101").level == Level.COUNTY
    assert Unit.objects.get(code="110101").parent.code == "110000"


def test_the_users_own_unit_is_found_without_a_query_and_others_as_before(users, rf):
    from django.http import Http404

    from zizhu.access import get_unit_for_user

    request = rf.get("/")
    request.user = users["county_operator"]
    own = request.user.unit  # loaded, as every page has by then
    with CaptureQueriesContext(connection) as queries:
        assert get_unit_for_user(request, "610112") is own
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert get_unit_for_user(request, "3661000001").code == "3661000001"
    assert len(queries) == 1
    with pytest.raises(Http404):  # a neighbour's unit: outside the scope, as before
        get_unit_for_user(request, "610111")


def test_a_level_refused_on_the_admin_page_is_named_in_words(tree):
    rows = [
        UnitRow("610198", "县下之县", "county", "610112", row=2),
        UnitRow("610197", "第二中央", "central", "000000", row=3),
    ]
    below, central = units_validate(rows)
    assert below.message == "区县级 不能隶属于 区县级"
    assert central.message.startswith("级别 中央")


def test_a_trail_runs_from_the_root_down_to_the_unit_as_the_ancestors_do(tree):
    schools = Unit.objects.filter(level=Level.SCHOOL)
    checked = 0
    for unit in [*Unit.objects.filter(level__in=[Level.COUNTY, Level.PREFECTURE]), *schools]:
        for root in ancestors(unit):
            expected = [u for u in ancestors(unit) if u.depth >= root.depth]
            assert [u.code for u in trail(root, unit)] == [u.code for u in expected]
            checked += 1
    assert checked > 10


def test_a_trail_reads_only_the_units_between_the_two(tree):
    school = Unit.objects.filter(level=Level.SCHOOL).order_by("-depth").first()
    root, *between, parent = list(ancestors(school))[:-1]
    with CaptureQueriesContext(connection) as captured:
        assert trail(school, school) == [school]
        assert trail(parent, school) == [parent, school]
    assert len(captured) == 0
    with CaptureQueriesContext(connection) as captured:
        assert trail(root, school) == [root, *between, parent, school]
    assert len(captured) == 1
