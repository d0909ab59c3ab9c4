import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from zizhu.catalogue.models import AidProject, Category
from zizhu.catalogue.seed import catalogue_rows, seed_catalogue, upgrade_catalogue
from zizhu.units.models import Stage, Unit

NATIONWIDE = [row for row in catalogue_rows() if not row["province"]]
SHAANXI = [row for row in catalogue_rows() if row["province"] == "610000"]


def test_it_seeds_the_nationwide_catalogue(db):
    assert AidProject.objects.count() == len(NATIONWIDE) == 34
    grant = AidProject.objects.get(code="vocational_national_grant")
    assert (grant.name, grant.stage, grant.category) == ("中职国家助学金", "vocational", "national")
    assert grant.standard_amount == Decimal("2300.00")
    assert grant.jointly_funded
    assert "学生资助资金管理办法" in grant.source


def test_every_project_names_its_source_and_a_stage_some_school_has(db):
    assert all(row["source"] for row in catalogue_rows())
    assert {row["stage"] for row in catalogue_rows()} == set(Stage.values)


def test_school_and_social_aid_are_concrete_projects_of_every_stage(db):
    for stage in Stage.values:
        for category in (Category.SCHOOL, Category.SOCIAL):
            names = AidProject.objects.filter(stage=stage, category=category)
            assert names.exists(), (stage, category)
    assert not AidProject.objects.filter(stage="any").exists()
    assert AidProject.objects.filter(stage="higher", category="school").count() == 4


def test_the_demo_provinces_own_projects_come_once_the_province_exists(tree):
    assert not AidProject.objects.filter(province__isnull=False).exists()
    assert seed_catalogue(AidProject, Unit) == len(SHAANXI) == 6
    own = AidProject.objects.filter(province=tree["610000"])
    assert {p.stage for p in own} == set(Stage.values)
    assert {p.category for p in own} == {Category.LOCAL}
    assert all("演示示例" in p.source for p in own)


def test_a_project_cannot_have_a_stage_no_unit_has(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        AidProject.objects.create(code="x", name="x", stage="postgraduate", category="national")


def test_only_local_projects_belong_to_a_province(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        AidProject.objects.create(
            code="x", name="x", stage="higher", category="national", province=tree["610000"]
        )


def test_the_upgrade_retires_the_generic_projects_and_fills_the_sources(tree):
    """What migration 0004 does to an install of the earlier catalogue."""
    generic = AidProject.objects.create(code="school_aid", name="学校资助", stage="any",
                                        category="school")  # fmt: skip
    AidProject.objects.filter(code="postgraduate_national_grant").update(source="")
    upgrade_catalogue(AidProject, Unit)
    generic.refresh_from_db()
    assert not generic.is_active
    grant = AidProject.objects.get(code="postgraduate_national_grant")
    assert (grant.stage, "学生资助资金管理办法" in grant.source) == ("higher", True)
    assert AidProject.objects.filter(province=tree["610000"]).count() == 6


def test_it_keeps_administrators_edits_when_seeding_again(db):
    AidProject.objects.filter(code="vocational_national_grant").update(name="改过的名字")
    assert seed_catalogue(AidProject) == 0
    assert AidProject.objects.get(code="vocational_national_grant").name == "改过的名字"


def test_the_documentation_lists_every_project_with_its_source():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "catalogue.md").read_text()
    for row in catalogue_rows():
        line = next(line for line in text.splitlines() if f"`{row['code']}`" in line)
        assert row["source"] in line, row["code"]


def test_every_seeded_note_is_chinese(db):
    # the admin shows the notes: no English words in them
    notes = [p.note for p in AidProject.objects.exclude(note="")]
    assert notes
    assert not [n for n in notes if re.search(r"[A-Za-z]{2,}", n)]
