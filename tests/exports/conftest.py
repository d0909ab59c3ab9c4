import pytest

from .world import build


@pytest.fixture
def world(users, tree):
    return build(users, tree)
