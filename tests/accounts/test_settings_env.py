"""Settings fail loudly: typed environment readers, and production refuses weak setups.

The production checks run in a subprocess, as settings are read once per process.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from zizhu.lib.env import EnvError, env_int, is_weak_secret
from zizhu.lib.sealing import new_key

REPO = Path(__file__).parents[2]
SETUP = "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'zizhu.settings'; django.setup()"


# --- env_int --------------------------------------------------------------------------------


def test_it_reads_an_integer(monkeypatch):
    monkeypatch.setenv("ZIZHU_TEST_INT", "365")
    assert env_int("ZIZHU_TEST_INT", 185, minimum=180) == 365


def test_it_falls_back_to_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("ZIZHU_TEST_INT", raising=False)
    assert env_int("ZIZHU_TEST_INT", 185, minimum=180) == 185
    monkeypatch.setenv("ZIZHU_TEST_INT", "")
    assert env_int("ZIZHU_TEST_INT", 185, minimum=180) == 185


def test_it_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("ZIZHU_TEST_INT", "30")
    with pytest.raises(EnvError, match="ZIZHU_TEST_INT=30 is below the minimum 180"):
        env_int("ZIZHU_TEST_INT", 185, minimum=180)


def test_it_refuses_a_default_below_the_minimum(monkeypatch):
    monkeypatch.delenv("ZIZHU_TEST_INT", raising=False)
    with pytest.raises(EnvError, match="below the minimum"):
        env_int("ZIZHU_TEST_INT", 30, minimum=180)


def test_it_refuses_a_value_that_is_not_an_integer(monkeypatch):
    monkeypatch.setenv("ZIZHU_TEST_INT", "half a year")
    with pytest.raises(EnvError, match="ZIZHU_TEST_INT='half a year' is not an integer"):
        env_int("ZIZHU_TEST_INT", 185)


def test_it_reads_a_value_from_a_file(monkeypatch, tmp_path):
    path = tmp_path / "retention"
    path.write_text("400\n", encoding="utf-8")
    monkeypatch.setenv("ZIZHU_TEST_INT_FILE", str(path))
    assert env_int("ZIZHU_TEST_INT", 185, minimum=180) == 400


def test_it_refuses_a_file_that_cannot_be_read(monkeypatch, tmp_path):
    monkeypatch.setenv("ZIZHU_TEST_INT_FILE", str(tmp_path / "missing"))
    with pytest.raises(EnvError, match="ZIZHU_TEST_INT_FILE=.* cannot be read"):
        env_int("ZIZHU_TEST_INT", 185)


@pytest.mark.parametrize(
    ("value", "weak"),
    [
        ("short", True),
        ("a" * 64, True),  # long but fewer than 5 distinct characters
        ("django-insecure-" + secrets.token_urlsafe(48), True),
        ("zizhu-dev-" + secrets.token_urlsafe(48), True),
        (secrets.token_urlsafe(48), False),
    ],
    # Fixed ids: the values are random, and parallel workers must collect the same tests.
    ids=["short", "few-characters", "django-insecure", "zizhu-dev", "random"],
)
def test_it_recognises_weak_secrets(value, weak):
    assert is_weak_secret(value) is weak


# --- whole settings module, in a subprocess --------------------------------------------------


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run Python in the repository with a clean ZIZHU_*/DATABASE_URL environment plus `env`."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZIZHU_", "DATABASE_URL", "DJANGO_"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**base, "ZIZHU_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def strong_secret() -> str:
    return secrets.token_urlsafe(48)  # 64 characters


def production(**overrides: str) -> dict[str, str]:
    env = {
        "ZIZHU_ENV": "production",
        "ZIZHU_SECRET_KEY": strong_secret(),
        "ZIZHU_HASH_KEY": strong_secret(),
        "ZIZHU_DATA_KEYS": f"p1:{new_key()}",
        "ZIZHU_ALLOWED_HOSTS": "example.org",
        "ZIZHU_JOB_QUEUE": "redis://127.0.0.1:6379/0",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None and v != "-"}


def test_it_refuses_a_retention_below_180_days_at_start_up(tmp_path):
    result = run(["-c", SETUP], tmp_path, ZIZHU_AUDIT_RETENTION_DAYS="30")
    assert result.returncode != 0
    assert "ZIZHU_AUDIT_RETENTION_DAYS=30 is below the minimum 180" in result.stderr


def test_it_refuses_sqlite_in_production(tmp_path):
    result = run(["-c", SETUP], tmp_path, **production(DATABASE_URL="-"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "production needs DATABASE_URL (PostgreSQL); SQLite is refused" in result.stderr


def test_it_refuses_a_sqlite_url_in_production(tmp_path):
    result = run(
        ["-c", SETUP], tmp_path, **production(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    )
    assert result.returncode != 0
    assert "production runs on PostgreSQL only" in result.stderr


@pytest.mark.parametrize("name", ["ZIZHU_SECRET_KEY", "ZIZHU_HASH_KEY"])
@pytest.mark.parametrize("value", ["-", "changeme", "django-insecure-" + "x1y2z3" * 10])
def test_it_refuses_a_missing_or_weak_secret_in_production(tmp_path, name, value):
    result = run(["-c", SETUP], tmp_path, **production(**{name: value}))
    assert result.returncode != 0
    assert f"{name} must be set to a strong random value" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-", "ZIZHU_DATA_KEYS must be set in production"),
        ("p1:c2hvcnQ=", "ZIZHU_DATA_KEYS: key 'p1' must be 16, 24 or 32 bytes"),
    ],
)
def test_it_refuses_missing_or_malformed_data_keys_in_production(tmp_path, value, message):
    result = run(["-c", SETUP], tmp_path, **production(ZIZHU_DATA_KEYS=value))
    assert result.returncode != 0
    assert message in result.stderr


def test_it_refuses_debug_in_production(tmp_path):
    result = run(["-c", SETUP], tmp_path, **production(ZIZHU_DEBUG="true"))
    assert result.returncode != 0
    assert "ZIZHU_DEBUG must be off in production" in result.stderr


def test_it_refuses_production_without_allowed_hosts(tmp_path):
    result = run(["-c", SETUP], tmp_path, **production(ZIZHU_ALLOWED_HOSTS="-"))
    assert result.returncode != 0
    assert "ZIZHU_ALLOWED_HOSTS must list the site's host names" in result.stderr


def test_it_refuses_the_embedded_job_queue_in_production(tmp_path):
    result = run(["-c", SETUP], tmp_path, **production(ZIZHU_JOB_QUEUE="sqlite"))
    assert result.returncode != 0
    assert "production needs ZIZHU_JOB_QUEUE=redis://" in result.stderr


def test_it_passes_the_deployment_checks_with_a_complete_production_setup(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production()
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
