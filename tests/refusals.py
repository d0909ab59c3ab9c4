"""What a service's refusal says, in Chinese whatever an earlier request activated."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation


@pytest.fixture
def in_chinese():
    # the default language, whatever an earlier request in this thread activated
    with translation.override("zh-hans"):
        yield


def refusal(call, *args, **kwargs) -> str:
    """The messages of the ValidationError `call(*args, **kwargs)` raises, joined."""
    with pytest.raises(ValidationError) as refused:
        call(*args, **kwargs)
    return " ".join(refused.value.messages)
