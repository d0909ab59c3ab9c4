"""Prometheus metrics (docs/operations.md, "Monitoring").

Counted in the process that does the work: request latency in the web processes, job and
check-run durations in the workers. With several processes on a host (gunicorn workers, huey),
set PROMETHEUS_MULTIPROC_DIR to one empty folder for all of them (scripts/stack.sh does): the
endpoint then sums every process of the host. Job counts by status are read from the database
at scrape time, so any one web host shows the whole platform's queue.
"""

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_LONG = (1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400)

REQUEST_SECONDS = Histogram(
    "zizhu_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view", "method", "status"],
    buckets=_SECONDS,
)
JOB_SECONDS = Histogram(
    "zizhu_job_duration_seconds", "Duration of background jobs", ["kind", "status"], buckets=_LONG
)
JOBS_FINISHED = Counter(
    "zizhu_jobs_finished_total",
    "Background jobs finished: done, failed, or abandoned (their worker died)",
    ["kind", "status"],
)
RUN_SECONDS = Histogram(
    "zizhu_anomaly_run_duration_seconds",
    "Duration of monthly check runs",
    ["engine", "status"],
    buckets=_LONG,
)


def job_finished(kind: str, status: str, seconds: float | None) -> None:
    JOBS_FINISHED.labels(kind, status).inc()
    if seconds is not None:
        JOB_SECONDS.labels(kind, status).observe(seconds)


def run_finished(engine: str, status: str, seconds: float) -> None:
    RUN_SECONDS.labels(engine, status).observe(seconds)


class _JobsByStatus:
    """Jobs per kind and status, read from the database when scraped."""

    def collect(self):
        from django.db.models import Count

        from zizhu.jobs.models import Job

        family = GaugeMetricFamily(
            "zizhu_jobs", "Background jobs by kind and status", labels=["kind", "status"]
        )
        rows = Job.objects.order_by().values_list("kind", "status").annotate(n=Count("id"))
        for kind, status, count in rows:
            family.add_metric([kind, status], count)
        yield family


def exposition() -> bytes:
    """The text exposition of this host's processes and the database's job counts."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    jobs = CollectorRegistry(auto_describe=False)
    jobs.register(_JobsByStatus())
    return generate_latest(registry) + generate_latest(jobs)
