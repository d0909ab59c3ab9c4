"""The monthly anomaly checks (docs/domain.md, anomaly alerts) over the Parquet analytics store.

    from zizhu.anomalies.engine import run_duckdb, run_spark
    findings = run_duckdb("var/store", "2024-10")  # a pyarrow.Table, FINDINGS_SCHEMA

Pure Python: no Django models. Rules are data (rules.py), the 12 checks are SQL shared by both
engines (checks.py), inputs are located by inputs.py; docs/anomaly-checks.md explains each check.
"""

import importlib
from typing import TYPE_CHECKING

from .findings import FINDINGS_SCHEMA, write_findings
from .rules import Rule, load_rules

if TYPE_CHECKING:
    from .duckdb_engine import run_duckdb, scan_floor
    from .spark_engine import EngineUnavailable, run_spark

# The engines are imported when first asked for: every process of the site imports this
# package (the rules' names on the findings pages), and DuckDB alone holds ~20 MB in each.
_ENGINES = {
    "run_duckdb": ".duckdb_engine",
    "scan_floor": ".duckdb_engine",
    "run_spark": ".spark_engine",
    "EngineUnavailable": ".spark_engine",
}


def __getattr__(name: str) -> object:
    if name in _ENGINES:
        return getattr(importlib.import_module(_ENGINES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FINDINGS_SCHEMA",
    "EngineUnavailable",
    "Rule",
    "load_rules",
    "run_duckdb",
    "run_spark",
    "scan_floor",
    "write_findings",
]
