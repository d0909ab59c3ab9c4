"""bench/import_recipients_bench.py runs end to end on a small list: the import, and the store's
floor after it (the same rows stored again into a new list of the same table, on SQLite and,
where the tests run on PostgreSQL, on a database of its own)."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.stack.servers import database_url

ROOT = Path(__file__).resolve().parents[1]
ROWS = 300


def _bench(*options: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ZIZHU_DATA_DIR")}
    done = subprocess.run(
        [sys.executable, "bench/import_recipients_bench.py", "--rows", str(ROWS), "--repeat", "1"]
        + list(options),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _figures(output: str, label: str) -> list[str]:
    line = next(x for x in output.splitlines() if x.startswith(label))
    return line[len(label) :].split()


def _check(output: str) -> None:
    imported = _figures(output, "zizhu: read + validate + store")
    floor = _figures(output, "floor: the same rows stored again")
    assert imported[0] == floor[0] == str(ROWS)  # the copy holds the import's rows
    assert floor[3] == "-"  # no peak: what it holds was fetched before the clock
    assert re.search(r"^storing alone \(the floor\) is \d+\.\d\dx the plain read: ", output, re.M)


def test_floor_after_the_import_on_sqlite():
    _check(_bench())


@pytest.mark.django_db
def test_floor_after_the_import_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's COPY floor needs the tests to run on PostgreSQL")
    server = database_url(connection).rsplit("/", 1)[0]
    name = f"zizhu_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            _check(_bench("--database-url", f"{server}/{name}"))
        finally:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
