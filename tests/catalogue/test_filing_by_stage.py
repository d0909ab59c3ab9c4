"""Every stage has a school that can file each of its projects, through the filing pages;
研究生 projects are filed by higher-education schools (ADR 0023)."""

import pytest
from django.core.exceptions import ValidationError

from tests.catalogue.conftest import SCHOOL_OF_STAGE
from tests.conftest import login_as
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.forms import NewFilingForm
from zizhu.funds.models import Filing
from zizhu.funds.services import filing_create

# what a school of each stage is offered, by category (names as the dropdown shows them)
EXPECTED = {
    "preschool": {
        "national": {"公办幼儿园学前一年免保育教育费"},
        "local": {"学前教育地方政府资助", "学前一年免保教费（陕西省）"},
        "school": {"保育教育费减免", "校内困难补助"},
    },
    "compulsory": {
        "national": {"义务教育家庭经济困难学生生活补助", "农村义务教育学生营养膳食补助"},
        "local": {"义务教育家庭经济困难学生省级补助（陕西省）"},
    },
    "senior_high": {"national": {"普通高中国家助学金", "普通高中免学杂费"}},
    "vocational": {
        "national": {"中职国家奖学金", "中职国家助学金", "中职免学费"},
        "local": {"中职学生省级资助（陕西省）"},
        "school": {"校内奖学金", "学费减免", "校内困难补助"},
    },
    "higher": {
        "national": {
            "本专科生国家奖学金",
            "本专科生国家励志奖学金",
            "本专科生国家助学金",
            "研究生国家奖学金",
            "研究生国家助学金",
        },
        "school": {"校内奖学金", "勤工助学", "学费减免", "校内困难补助"},
        "social": {"社会奖助学金"},
    },
    "special": {"local": {"特殊教育学生省级资助（陕西省）"}, "school": {"校内困难补助"}},
}


@pytest.mark.parametrize("stage", list(SCHOOL_OF_STAGE))
def test_a_school_is_offered_the_projects_of_its_stage(stages_tree, stage):
    school = stages_tree[SCHOOL_OF_STAGE[stage]]
    for category, names in EXPECTED[stage].items():
        offered = NewFilingForm(unit=school, category=category).fields["project"].queryset
        assert {p.name for p in offered} == names, (stage, category)


def test_every_project_has_a_school_that_files_it(stages_tree):
    schools = [stages_tree[code] for code in SCHOOL_OF_STAGE.values()]
    for project in AidProject.objects.filter(is_active=True):
        filers = [s for s in schools if project in NewFilingForm(
            unit=s, category=project.category).fields["project"].queryset]  # fmt: skip
        assert filers, project.code
        filing_create(unit=filers[0], year=2025, project=project, actor=None)
    assert Filing.objects.count() == AidProject.objects.filter(is_active=True).count()


def test_a_higher_education_school_files_the_postgraduate_national_grant(client, tree, users):
    grant = AidProject.objects.get(code="postgraduate_national_grant")
    operator = users["school_operator"]
    operator.unit = tree["4161000001"]  # the province's direct higher-education school
    operator.save()
    login_as(client, operator)
    page = client.get("/funds/filing/national/")
    assert grant in page.context["form"].fields["project"].queryset
    response = client.post("/funds/filing/national/new/", {"year": 2025, "project": grant.pk})
    assert response.status_code == 302
    filing = Filing.objects.get(project=grant)
    assert (filing.unit.code, filing.unit.stage) == ("4161000001", "higher")


def test_a_school_of_another_stage_cannot_file_it(tree):
    grant = AidProject.objects.get(code="postgraduate_national_grant")
    with pytest.raises(ValidationError):
        filing_create(unit=tree["3661000001"], year=2025, project=grant, actor=None)
    assert grant.category == Category.NATIONAL
