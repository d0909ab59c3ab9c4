"""Funds pages at national scale on PostgreSQL: filing progress (资金填报进展) and the income/
expenditure summary (资金收支汇总) for operators of the central unit, a province and a county,
against baselines measured in the same run.

    .venv/bin/python bench/funds_bench.py [--requests 20] [--year 2025] [--seed 1]
        [--scale 1.0] [--rebuild] [--project compulsory_nutrition]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/zizhu_bench) names the benchmark's
own database: created and migrated if missing, built once (bench/funds_national.py: all
divisions, ~230,000 schools, a year of two projects down to every school; the build is timed
and `ledger_discrepancies()` must return no rows) and re-used while the parameters match.
Then each page is requested N times per user through Django's test client; printed: p50 and
p95 ms, SQL queries per request, and the targets (province p95 ≤ 300 ms, national ≤ 1 s).
Baselines: the home page, and a plain `SELECT count(*)` of the filings in the user's subtree.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zizhu_bench"
TARGET_MS = {"central": 1000, "province": 300, "county": 300}


def database_create(url: str, rebuild: bool) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
    os.environ.setdefault("ZIZHU_JOB_QUEUE", "immediate")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def ensure_built(args) -> None:
    import funds_national as national

    from zizhu.fundreports.rollups import rollup_discrepancies
    from zizhu.funds.ledger import ledger_discrepancies
    from zizhu.units.models import Unit

    wanted = national.params(args.year, args.seed, args.scale)
    have = national.built_params()
    if have == wanted:
        print(f"re-using the built database ({have})")
        return
    if have is not None or Unit.objects.exclude(level="central").exists():
        raise SystemExit("the database holds another build: run with --rebuild")
    print(f"building: {wanted} …", flush=True)
    figures = national.build(year=args.year, seed=args.seed, scale=args.scale)
    print(
        f"built in {figures['seconds']:.1f} s (divisions {figures['divisions']:.1f} s, "
        f"{figures['schools']:,} schools {figures['schools_s']:.1f} s, funds year "
        f"{figures['funds']:.1f} s): {figures['filings']:,} filings, "
        f"{figures['allocations']:,} allocations, {figures['balances']:,} balances, "
        f"{figures['receipts']:,} receipts, {figures['deadlines']:,} deadlines, "
        f"{figures['vouchers']:,} vouchers"
    )
    started = time.perf_counter()
    problems = ledger_discrepancies()
    print(
        f"ledger check: ledger_discrepancies() returned {len(problems)} rows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if problems:
        raise SystemExit("the built ledger does not balance")
    started = time.perf_counter()
    stale = rollup_discrepancies()
    print(
        f"report totals check: rollup_discrepancies() returned {len(stale)} rows "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if stale:
        raise SystemExit("the per-authority totals disagree with the rows they sum")


def page_url(kind: str, category: str, year: int, project) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(f"fundreports:{kind}", kwargs={"category": category})
    except NoReverseMatch:
        url = reverse(f"fundreports:{kind}_{category}")
    return f"{url}?year={year}&project={project.pk}"


def measure(call, n: int) -> tuple[float, float, list[dict]]:
    """p50 and p95 in ms over n calls after one warm-up, and the queries of the last call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    times, queries = [], []
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = captured.captured_queries
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def get(client, url: str):
    def call():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        return response

    return call


def subtree_count(unit, year: int, project):
    from django.db import connection

    def call():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM funds_filing f JOIN units_unit u ON u.id = f.unit_id"
                " WHERE u.path LIKE %s AND f.year = %s AND f.project_id = %s",
                [unit.path + "%", year, project.pk],
            )
            return cursor.fetchone()

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the school counts")
    parser.add_argument("--project", default="compulsory_nutrition")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    database_create(url, args.rebuild)
    setup(url)
    ensure_built(args)

    import funds_national as national
    from django.test import Client
    from django.test.utils import setup_test_environment

    from zizhu.accounts.models import User
    from zizhu.catalogue.models import AidProject
    from zizhu.funds.models import Filing

    setup_test_environment()
    project = AidProject.objects.get(code=args.project)
    filings = Filing.objects.filter(year=args.year, project=project).count()
    print(f"{args.project} {args.year}: {filings:,} filings; {args.requests} requests per row")
    print(f"{'user':<10}{'page':<34}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}   target p95")
    for who, code in national.USERS.items():
        user = User.objects.select_related("unit").get(username=f"bench_operator_{code}")
        client = Client()
        client.force_login(user)
        rows = [
            ("baseline: home page", get(client, "/"), None),
            (
                "baseline: SELECT count(*) subtree",
                subtree_count(user.unit, args.year, project),
                None,
            ),
        ]
        for kind in ("progress", "summary"):
            target = page_url(kind, "national", args.year, project)
            rows.append((f"{kind} (national)", get(client, target), TARGET_MS[who]))
        for label, call, target in rows:
            p50, p95, queries = measure(call, args.requests)
            verdict = (
                "" if target is None else f"≤ {target} ms {'met' if p95 <= target else 'MISSED'}"
            )
            print(f"{who:<10}{label:<34}{p50:>9.1f}{p95:>9.1f}{len(queries):>9}   {verdict}")
            if target is not None and p95 > target:
                slowest = max(queries, key=lambda q: float(q["time"]))
                sql = " ".join(slowest["sql"].split())[:160]
                print(f"{'':<10}slowest query {float(slowest['time']) * 1000:.0f} ms: {sql}")
    print(
        "targets: province (and county) p95 ≤ 300 ms, national p95 ≤ 1,000 ms; "
        f"load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
