"""Run the checks on Apache Spark, the scale-out engine (same SQL as DuckDB; see checks.py).

PySpark is an optional dependency (`pip install 'zizhu[spark]'`, plus Java 17+). It is imported
only when this engine runs.
"""

import os
import shutil
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from zizhu.lib.periods import Month

from . import checks
from .findings import finalise
from .inputs import Inputs, Source, locate
from .rules import RULES_SCHEMA, rules_table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

LOCAL_SHUFFLE_PARTITIONS = 8
_DDL = {pa.int32(): "INT", pa.string(): "STRING"}  # the types of rules.RULES_SCHEMA


class EngineUnavailable(RuntimeError):
    pass


def run_spark(
    store: str | os.PathLike[str],
    month: Month | str,
    *,
    spark: "SparkSession | None" = None,
    master: str = "local[2]",
    reference_date: date | None = None,
    lists_store: str | os.PathLike[str] | None = None,
) -> pa.Table:
    """Run the 24 rules of `month` on Spark; same arguments and result as run_duckdb.

    Uses `spark` when given (a cluster session: the store must then be a URL every executor
    reads, s3:// is read through s3a), else the active session, else a new session on
    `master` that is stopped afterwards. Views are registered on a child session where Spark
    has them (not on Spark Connect), so concurrent runs on one SparkSession do not collide.
    """
    inputs = locate(store, month, reference_date, lists_store)
    session_owned = False
    if spark is None:
        spark, session_owned = _session(master)
    try:
        session = spark.newSession()
    except NotImplementedError:  # Spark Connect has no child sessions
        session = spark
    cached: list[DataFrame] = []
    try:
        register(session, inputs)
        for name, sql, materialise in checks.VIEWS:
            frame = session.sql(sql)
            if materialise:
                frame = frame.cache()
                cached.append(frame)
            frame.createOrReplaceTempView(name)
        found = session.sql(checks.FOUND).cache()
        cached.append(found)
        found.createOrReplaceTempView("found")
        raw = _arrow(session.sql(checks.FINDINGS))
    finally:
        for frame in cached:
            frame.unpersist()
        if session_owned:
            spark.stop()
    return finalise(raw, inputs.month)


def _session(master: str) -> "tuple[SparkSession, bool]":
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise EngineUnavailable(
            "the Spark engine needs PySpark: pip install 'zizhu[spark]' (and Java 17+)"
        ) from error
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise EngineUnavailable("the Spark engine needs Java 17+ (java on PATH or JAVA_HOME)")
    spark = (
        SparkSession.builder.master(master)
        .appName("zizhu-anomaly-checks")
        .config("spark.sql.shuffle.partitions", LOCAL_SHUFFLE_PARTITIONS)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    return spark, True


def register(session: "SparkSession", inputs: Inputs) -> None:
    """Create the input views, `rules` and `params` on `session`."""
    for source in inputs.sources:
        _frame(session, source).createOrReplaceTempView(source.view)
    rules_ddl = ", ".join(f"{f.name} {_DDL[f.type]}" for f in RULES_SCHEMA)
    session.createDataFrame(rules_table().to_pylist(), schema=rules_ddl).createOrReplaceTempView(
        "rules"
    )
    session.createDataFrame(
        [(inputs.school_year, inputs.reference_date)],
        schema="school_year INT, reference_date DATE",
    ).createOrReplaceTempView("params")


def _frame(session: "SparkSession", source: Source) -> "DataFrame":
    if not source.files:
        ddl = ", ".join(f"{c} {t}" for c, t in source.columns.items())
        return session.createDataFrame([], schema=ddl)
    paths = [_spark_path(file) for file in source.files]
    frame = session.read.option("mergeSchema", "true").parquet(*paths)
    return frame.selectExpr(*(f"CAST({c} AS {t}) AS {c}" for c, t in source.columns.items()))


def _spark_path(uri: str) -> str:
    # Hadoop reads S3 through the s3a connector.
    return "s3a://" + uri.removeprefix("s3://") if uri.startswith("s3://") else uri


def _arrow(frame: "DataFrame") -> pa.Table:
    if hasattr(frame, "toArrow"):  # PySpark ≥ 4.0
        return frame.toArrow()
    pandas_frame: Any = frame.toPandas()
    return pa.Table.from_pandas(pandas_frame, preserve_index=False)
