"""A Spark standalone cluster on loopback: a master and a worker started with the PySpark
distribution's `spark-class`, as separate JVMs (what scripts/stack.sh starts)."""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack.servers import free_port


def spark_home() -> Path:
    pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("Spark needs Java 17+: no java on PATH and no JAVA_HOME")
    return Path(pyspark.__file__).parent


def cluster_env() -> dict:
    return {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,  # the executors run this interpreter
        "PYSPARK_DRIVER_PYTHON": sys.executable,
    }


class SparkCluster:
    def __init__(self, cores: int = 2, memory: str = "1g"):
        self.home = spark_home()
        self.folder = tempfile.mkdtemp(prefix="zizhu-spark-")
        self.port, self.ui = free_port(), free_port()
        self.cores, self.memory = cores, memory
        self.processes: list[subprocess.Popen] = []

    @property
    def master(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def _start(self, name: str, *args: str) -> None:
        log = open(os.path.join(self.folder, f"{name}.log"), "wb")  # noqa: SIM115
        self.processes.append(
            subprocess.Popen(
                [str(self.home / "bin" / "spark-class"), *args],
                env={**cluster_env(), "SPARK_WORKER_DIR": os.path.join(self.folder, "work")},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )

    def state(self) -> dict:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui}/json/", timeout=5) as answer:  # noqa: S310
            return json.load(answer)

    def start(self, timeout: float = 180) -> None:
        self._start(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--webui-port",
            str(self.ui),
        )
        self._start(
            "worker",
            "org.apache.spark.deploy.worker.Worker",
            self.master,
            "--host",
            "127.0.0.1",
            "--cores",
            str(self.cores),
            "--memory",
            self.memory,
            "--webui-port",
            str(free_port()),
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                if self.state().get("aliveworkers", 0) >= 1:
                    return
            time.sleep(0.5)
        raise AssertionError(f"the Spark cluster did not come up; logs in {self.folder}")

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def spark_cluster(**kwargs) -> Iterator[SparkCluster]:
    cluster = SparkCluster(**kwargs)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
