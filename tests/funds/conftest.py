from decimal import Decimal

import pytest

from zizhu.accounts.models import User
from zizhu.catalogue.models import AidProject, Category
from zizhu.funds.services import filing_create

YEAR = 2025


def _project(code: str, name: str, stage: str, category: str = Category.NATIONAL) -> AidProject:
    # get_or_create: transactional tests flush the catalogue the migration seeded
    project, _ = AidProject.objects.get_or_create(
        code=code,
        defaults={"name": name, "stage": stage, "category": category, "jointly_funded": True},
    )
    return project


@pytest.fixture
def grant(db):
    """中职国家助学金: central 80% / provincial 20% in Shaanxi."""
    return _project("vocational_national_grant", "中职国家助学金", "vocational")


@pytest.fixture
def higher_grant(db):
    return _project("higher_national_grant", "本专科生国家助学金", "higher")


@pytest.fixture
def central_operator(tree):
    # the operator of the ministry (000000): files and allocates central funds
    return User.objects.create(
        username="central_operator",
        role="operator",
        unit=tree["000000"],
        must_change_password=False,
    )


@pytest.fixture
def central_filing(tree, grant, central_operator):
    return filing_create(
        unit=tree["000000"],
        year=YEAR,
        project=grant,
        own_funds=Decimal("800.00"),
        doc_number="财教〔2025〕1号",
        doc_title="关于下达2025年中职国家助学金的通知",
        actor=central_operator,
    )


@pytest.fixture
def province_filing(tree, grant, users):
    return filing_create(
        unit=tree["610000"],
        year=YEAR,
        project=grant,
        own_funds=Decimal("200.00"),
        doc_number="陕财教〔2025〕7号",
        actor=users["province_operator"],
    )
