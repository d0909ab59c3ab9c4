from decimal import Decimal

from zizhu.catalogue.models import AidProject, Category
from zizhu.catalogue.seed import catalogue_rows, seed_catalogue


def test_it_seeds_the_starting_catalogue(db):
    assert AidProject.objects.count() == len(catalogue_rows()) == 14
    grant = AidProject.objects.get(code="vocational_national_grant")
    assert (grant.name, grant.stage, grant.category) == ("中职国家助学金", "vocational", "national")
    assert grant.standard_amount == Decimal("2300.00")
    assert grant.jointly_funded
    assert AidProject.objects.filter(category=Category.SOCIAL).count() == 1


def test_it_keeps_administrators_edits_when_seeding_again(db):
    AidProject.objects.filter(code="vocational_national_grant").update(name="改过的名字")
    assert seed_catalogue(AidProject) == 0
    assert AidProject.objects.get(code="vocational_national_grant").name == "改过的名字"
