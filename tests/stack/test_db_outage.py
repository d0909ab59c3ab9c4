"""PostgreSQL stopped for 20 s under requests and writes (its own cluster): a Chinese 503 page
(the REST API: its JSON error, code database_unavailable), no stack trace, recovery without a
restart, no write half-done."""

import json
import os
import subprocess
import sys
import time

import pytest

from tests.stack.servers import ROOT, manage, postgres_cluster, wait_for

pytestmark = pytest.mark.postgres


def test_a_database_outage_gets_a_503_page_and_the_process_recovers(tmp_path):
    with postgres_cluster() as cluster:
        env = {
            **os.environ,
            "DATABASE_URL": cluster.createdb("zizhu"),
            "ZIZHU_DATA_DIR": str(tmp_path),
            "ZIZHU_JOB_QUEUE": "immediate",
        }
        manage("migrate", "--verbosity", "0", env=env, timeout=900)
        marker = tmp_path / "serving"
        load = subprocess.Popen(
            [sys.executable, "-m", "tests.stack.db_outage", "60", str(marker)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(marker.exists, 120, what="the first good request")
            cluster.stop("immediate")
            stopped = time.monotonic()
            time.sleep(20)
            cluster.start()
            started = time.monotonic()
            out, _ = load.communicate(timeout=180)
        finally:
            if load.poll() is None:
                load.kill()
        rounds = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        during = [r for r in rounds if stopped + 1 < r["t"] < started - 1]
        after = [r for r in rounds if r["t"] > started + 5]
        assert during and all(r["status"] == 503 and r["chinese_503"] for r in during)
        assert all(r["api_status"] == 503 and r["api_json_503"] for r in during)
        assert not any(r["traceback"] for r in rounds)
        assert after and all(r["status"] == 200 and r["write"] == "ok" for r in after)
        assert all(r["api_status"] == 200 for r in after)
        # every write is two rows or none
        count = subprocess.run(
            [
                "psql",
                env["DATABASE_URL"],
                "-Atc",
                "SELECT count(*) FROM units_unit WHERE code LIKE '3661%'",
                "-c",
                "SELECT count(*) FROM units_unit WHERE code LIKE '4161%'",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert count[0] == count[1] == str(sum(r["write"] == "ok" for r in rounds))
