"""scripts/backup.sh and scripts/restore.sh: the demo province backed up, restored into a fresh
database, store and media folder, gives the same reconciliation (0 rows), report totals,
findings export, store and media files."""

import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from tests.stack.servers import ROOT, database_url, manage
from zizhu.lib.sealing import new_key

pytestmark = pytest.mark.postgres


def _figures(env: dict, workdir) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.stack.figures", str(workdir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


def test_a_backup_restores_into_a_fresh_database_with_the_same_figures(tmp_path):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…) and pg_dump")
    base = database_url(connection).rsplit("/", 1)[0]
    names = [f"zizhu_bk_{uuid.uuid4().hex[:8]}_{side}" for side in ("src", "dst")]
    _admin(base, *(f'CREATE DATABASE "{name}"' for name in names))
    data_keys = f"bk:{new_key()}"  # sealed numbers open on the restored side with the same keys
    try:
        envs = [
            {
                **os.environ,
                "DATABASE_URL": f"{base}/{name}",
                "ZIZHU_DATA_DIR": str(tmp_path / side),
                "ZIZHU_HASH_KEY": "a-hash-key-kept-in-the-secret-store-" + "x" * 30,
                "ZIZHU_DATA_KEYS": data_keys,
                "ZIZHU_JOB_QUEUE": "immediate",
            }
            for name, side in zip(names, ("src", "dst"), strict=True)
        ]
        manage("migrate", "--verbosity", "0", env=envs[0], timeout=600)
        manage("demo", env=envs[0], timeout=900)
        before = _figures(envs[0], tmp_path)
        assert before["ledger_discrepancies"] == 0 and before["rollup_discrepancies"] == 0
        assert before["findings_exports"] and before["store"] and before["report_totals"]
        backup = tmp_path / "backup"
        subprocess.run(
            ["scripts/backup.sh", str(backup)], cwd=ROOT, env=envs[0], check=True, timeout=600
        )
        assert sorted(p.name for p in backup.iterdir()) == [
            "SHA256SUMS",
            "database.dump",
            "media.tar.gz",
            "store.tar.gz",
        ]
        restored = subprocess.run(
            ["scripts/restore.sh", str(backup)],
            cwd=ROOT,
            env=envs[1],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert restored.returncode == 0, restored.stderr[-3000:]
        assert "ledger reconciliation 0 rows, report totals 0 rows" in restored.stdout
        assert _figures(envs[1], tmp_path) == before
        # a second restore into the now full database is refused, nothing touched
        again = subprocess.run(
            ["scripts/restore.sh", str(backup)],
            cwd=ROOT,
            env=envs[1],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert again.returncode == 1 and "not empty" in again.stderr
    finally:
        _admin(base, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names))


def _admin(base: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for statement in statements:
            admin.execute(statement)
