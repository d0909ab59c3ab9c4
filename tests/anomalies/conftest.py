import pytest
from django.conf import settings

from tests.anomalies.engine.conftest import StoreBuilder


@pytest.fixture
def store_builder() -> StoreBuilder:
    """A handcrafted analytics store at settings.ZIZHU_STORE (a folder of the test's own)."""
    from pathlib import Path

    return StoreBuilder(Path(settings.ZIZHU_STORE))
