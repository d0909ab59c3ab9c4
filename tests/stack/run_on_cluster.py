"""Run in a process of its own (one SparkContext per process): build the month of the
engine tests in a store, run the checks through the service's engine switch with
ZIZHU_SPARK_MASTER from the environment, and print both engines' findings as JSON.

    python -m tests.stack.run_on_cluster STORE
"""

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")

import django  # noqa: E402

django.setup()

from tests.anomalies.engine.conftest import MONTH, StoreBuilder, build_month  # noqa: E402
from zizhu.anomalies.services import _run_engine  # noqa: E402


def main(store: str) -> None:
    builder = StoreBuilder(Path(store))
    expected = build_month(builder)
    root = str(builder.root)
    answer = {
        "expected": sorted(map(list, expected)),
        "duckdb": _run_engine("duckdb", root, MONTH, root).to_pylist(),
        "spark": _run_engine("spark", root, MONTH, root).to_pylist(),
    }
    print(json.dumps(answer, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
