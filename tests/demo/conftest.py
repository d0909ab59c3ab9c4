"""The demo built once a test module, not once a test: a demo province takes ~25 s to build
(more than all the module's assertions together). The module's tests share its rows and
files; each test still runs in a savepoint of its own (rolled back after it), and the demo's
rows are rolled back when the module ends, so no other test sees them. A module's tests run
in one test process (each module's `xdist_group`; the test command distributes by group),
which builds the demo once."""

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

FAST_PASSWORDS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-files")


@pytest.fixture(autouse=True)
def _private_files(settings, demo_files):
    """The module's tests read the files of the demo the module built (tests/conftest.py
    gives every other test a folder of its own)."""
    settings.ZIZHU_STORE = str(demo_files / "store")
    settings.MEDIA_ROOT = demo_files / "media"


def _built(django_db_blocker, demo_files, seed: int) -> Iterator[str]:
    """The demo of `seed` in a transaction open until the module ends, then rolled back;
    what the command printed."""
    files = {"ZIZHU_STORE": str(demo_files / "store"), "MEDIA_ROOT": demo_files / "media"}
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_PASSWORDS, **files):
        kept = transaction.atomic()
        kept.__enter__()
        try:
            out = io.StringIO()
            call_command("demo", seed=seed, stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            kept.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_seed_7(django_db_setup, django_db_blocker, demo_files):
    yield from _built(django_db_blocker, demo_files, 7)


@pytest.fixture(scope="module")
def demo_seed_1(django_db_setup, django_db_blocker, demo_files):
    yield from _built(django_db_blocker, demo_files, 1)


@pytest.fixture
def demo_lines(db, demo_seed_7):
    """The demo of seed 7: the accounts it printed, a list of fields a line."""
    return [line.split("\t") for line in demo_seed_7.splitlines() if line.startswith("DEMO")]


@pytest.fixture
def demo(db, demo_seed_1):
    """The demo of seed 1: what it printed."""
    return demo_seed_1
