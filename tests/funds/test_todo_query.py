"""The funds to-do's query is compiled once per shape (role, lines, categories, a unit with or
without a parent) and run with each user's own unit, parent, scope and time: every user's
counts are what the queryset itself counts, whichever user's request compiled it."""

import pytest
from django.utils import timezone

from tests.web.test_todo import month_of_work  # noqa: F401 - the fixture
from zizhu.access import is_authority
from zizhu.catalogue.models import Category
from zizhu.funds import todo
from zizhu.funds.models import Filing
from zizhu.lib import compiled

ORDERS = [
    ["school_operator", "neighbour_school_operator", "county_operator", "province_operator"],
    ["neighbour_school_operator", "school_operator", "province_operator", "county_operator"],
]


def _direct(user) -> list[dict[str, int]]:
    """The counts by the queryset, evaluated by Django as usual."""
    lines = todo._lines_of(user)
    categories = todo._categories(user)
    per_line: list[dict[str, int]] = [{} for _line in lines]
    for row in todo._query(user, categories, lines, timezone.now()):
        for i, found in enumerate(per_line):
            found[row["project__category"]] = row[f"n{i}"]
    return per_line


@pytest.mark.parametrize("order", ORDERS)
def test_each_user_gets_the_counts_of_its_own_unit(users, month_of_work, order, monkeypatch):  # noqa: F811
    monkeypatch.setattr(compiled, "_SQL", {})
    Filing.objects.filter(unit=users["neighbour_school_operator"].unit).update(status="returned")
    seen = {}
    for username in order:
        user = users[username]
        lines = todo._lines_of(user)
        got = todo._counts(user, todo._categories(user), lines)
        assert got == _direct(user), username
        seen[username] = got
    # the two schools share a compiled query but not their counts; a county and a
    # province share one too
    assert len(compiled._SQL) == 2
    assert seen["school_operator"] != seen["neighbour_school_operator"]
    assert any(seen["school_operator"]) and any(seen["county_operator"])


def test_the_central_unit_without_a_parent_has_a_query_of_its_own(tree, monkeypatch):
    from zizhu.accounts.models import User

    monkeypatch.setattr(compiled, "_SQL", {})
    centre = User.objects.create(username="centre", role="operator", unit=tree["000000"])
    county = User.objects.create(username="county2", role="operator", unit=tree["610112"])
    for user in (centre, county):
        assert todo._counts(user, todo._categories(user), todo._lines_of(user)) == _direct(user)
    assert len(compiled._SQL) == 2
    assert is_authority(centre) and todo._categories(centre) != tuple(Category.values)


def test_the_school_reviewer_without_deadline_lines_counts_its_own_unit(
    users,
    month_of_work,  # noqa: F811
    monkeypatch,
):
    """The reviewer's lines have no deadline filter: its query holds no parent."""
    monkeypatch.setattr(compiled, "_SQL", {})
    reviewer = users["school_reviewer"]
    lines = todo._lines_of(reviewer)
    assert lines and not any(filters.get("due") for filters, _label in lines)
    assert todo._counts(reviewer, todo._categories(reviewer), lines) == _direct(reviewer)
