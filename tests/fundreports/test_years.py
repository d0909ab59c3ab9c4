"""The years and projects offered by the report pages: those with a filing of the category
anywhere in the user's scope, read from the authorities' filings, the user's own and the
schools' per-authority totals (details.years_in_scope / projects_in_scope)."""

from decimal import Decimal

from zizhu.catalogue.models import AidProject
from zizhu.fundreports.details import projects_in_scope, years_in_scope
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create


def school_filing(tree, code: str, year: int, project) -> Filing:
    return filing_create(
        unit=tree[code], year=year, project=project, own_funds=Decimal("0.00"), actor=None
    )


def test_a_year_only_schools_filed_is_offered_up_to_the_top(tree, users, grant, filings):
    school_filing(tree, "3661000003", 2031, grant)  # 610111's school; no authority filed 2031
    for name in ("province_operator", "prefecture_operator", "neighbour_operator"):
        assert years_in_scope(users[name], "national") == [2031, 2025], name
    assert years_in_scope(users["county_operator"], "national") == [2025]
    assert years_in_scope(users["neighbour_school_operator"], "national") == [2031, 2025]
    assert years_in_scope(users["school_operator"], "national") == [2025]
    assert years_in_scope(users["province_operator"], "local") == []


def test_projects_of_a_year_come_from_every_kind_of_filing(tree, users, grant, filings):
    waiver = AidProject.objects.get(code="vocational_tuition_waiver")
    school_filing(tree, "3661000002", 2025, waiver)
    assert projects_in_scope(users["county_operator"], "national", 2025) == {grant.pk, waiver.pk}
    assert projects_in_scope(users["neighbour_operator"], "national", 2025) == {grant.pk}
    assert projects_in_scope(users["school_operator"], "national", 2025) == {grant.pk}
    assert projects_in_scope(users["province_operator"], "national", 2024) == set()
