import pytest

from zizhu.catalogue.models import AidProject

from .factories import grant_project, project


@pytest.fixture
def grant(db) -> AidProject:
    return grant_project()


@pytest.fixture
def waiver(db) -> AidProject:
    return project("vocational_tuition_waiver", "中职免学费", "vocational")
