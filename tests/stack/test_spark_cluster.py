"""The month's checks on a Spark standalone cluster (master and worker as separate JVMs on
loopback) through ZIZHU_SPARK_MASTER=spark://…: the same findings as DuckDB."""

import json
import subprocess
import sys

import pytest

from tests.stack.servers import ROOT
from tests.stack.spark_cluster import cluster_env, spark_cluster

pytestmark = pytest.mark.spark


def test_the_checks_run_on_a_standalone_cluster_and_equal_duckdb(tmp_path):
    """About a minute on an idle 2-core machine (two JVMs start, then the driver's); on a
    heavily shared one, several."""
    with spark_cluster() as cluster:
        env = {
            **cluster_env(),
            "ZIZHU_SPARK_MASTER": cluster.master,
            "ZIZHU_DATA_DIR": str(tmp_path / "data"),
            "ZIZHU_JOB_QUEUE": "immediate",
            # small executors; the driver answers on loopback
            "PYSPARK_SUBMIT_ARGS": "--conf spark.executor.memory=512m "
            "--conf spark.driver.host=127.0.0.1 --conf spark.cores.max=2 pyspark-shell",
        }
        env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "tests.stack.run_on_cluster", str(tmp_path / "store")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        state = cluster.state()
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["spark"] == answer["duckdb"]
    found = {
        (r["rule"], r["pid"], r["counterpart_school_code"], r["detail"]) for r in answer["spark"]
    }
    assert {tuple(case) for case in answer["expected"]} <= found
    # it really ran on the cluster: the master lists the application as completed
    assert "zizhu-anomaly-checks" in [app["name"] for app in state["completedapps"]]
