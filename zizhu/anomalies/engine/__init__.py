"""The monthly anomaly checks (docs/domain.md, anomaly alerts) over the Parquet analytics store.

    from zizhu.anomalies.engine import run_duckdb, run_spark
    findings = run_duckdb("var/store", "2024-10")  # a pyarrow.Table, FINDINGS_SCHEMA

Pure Python: no Django models. Rules are data (rules.py), the 12 checks are SQL shared by both
engines (checks.py), inputs are located by inputs.py; docs/anomaly-checks.md explains each check.
"""

from .duckdb_engine import run_duckdb, scan_floor
from .findings import FINDINGS_SCHEMA, write_findings
from .rules import Rule, load_rules
from .spark_engine import EngineUnavailable, run_spark

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
