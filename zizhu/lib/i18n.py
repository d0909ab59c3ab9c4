"""gettext for the messages of row checks, made once per problem of a file that may have a
million rows. Django's gettext first asks which language is active, an asgiref Local read of
a few µs: 1.5 s of CPU more for a 200,000-row list whose every row has three problems. Inside
`one_language()` the language is read once, and each text is looked up once per language
(docs/adr/0020-monthly-run-plan.md, "Row-check messages in the UI's language"). `labels`
translates a field's choices once for a table built a row at a time."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from django.utils import translation
from django.utils.html import conditional_escape

_held = threading.local()


@contextmanager
def one_language() -> Iterator[None]:
    """Within: `gettext` uses the language active on entry (checks never switch it)."""
    before = getattr(_held, "language", None)
    _held.language = translation.get_language()
    try:
        yield
    finally:
        _held.language = before


def gettext(message: str) -> str:
    """Django's gettext of `message`, remembered per language. For literal msgids only
    (imported as `_`, so makemessages finds them): the memory is bounded, not keyed by data."""
    return _translated(getattr(_held, "language", None) or translation.get_language(), message)


@lru_cache(maxsize=1024)
def _translated(language: str | None, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def labels(choices) -> dict[str, str]:
    """A field's choices in the active language, escaped for HTML: translated once for a
    table built a row at a time, not once a row."""
    return {value: conditional_escape(str(label)) for value, label in choices}
