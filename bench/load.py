"""Load on the production stack (locust, headless, loopback only, bounded).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zizhu_load .venv/bin/python bench/load.py \
        --users 20 --seconds 30 --web-workers 1,2,3,4

The database is the national build of bench/funds_national.py (all divisions, ~229,000
schools, a funds year; built once, as bench/funds_bench.py does). For each gunicorn worker
count it starts gunicorn on 127.0.0.1 against that database (with the environment's job queue,
e.g. the stack's Redis from `source var/stack/env`), runs a single-user baseline and then
`--users` concurrent users for `--seconds`, and prints per page p50/p95/p99 ms, requests/s,
errors, the most database connections in use, and the load average. The role mix of a
deadline day: operators of the centre, a province and a county, and school operators, who log
in, open their home page with the to-do, the progress and summary pages of their level, the
filing list and the findings list. Afterwards the ledger reconciliation and the report totals
must still be 0 rows. The run is bounded: at most --users users, --seconds per step.
"""

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PASSWORD = "Load-Test-9x!"  # noqa: S105 - set on the bench's own users only
YEAR = 2025


def prepare(url: str) -> dict:
    import funds_bench as bench

    bench.database_create(url, False)
    bench.setup(url)
    bench.ensure_built(argparse.Namespace(year=YEAR, seed=1, scale=1.0))
    from django.urls import reverse

    from zizhu.accounts.models import User
    from zizhu.catalogue.models import AidProject
    from zizhu.units.models import Unit

    project = AidProject.objects.get(code="compulsory_nutrition")
    county = Unit.objects.get(code="610112")
    schools = list(Unit.objects.filter(parent=county, level="school").order_by("code")[:20])
    for school in schools:
        User.objects.get_or_create(
            username=f"load_school_{school.code}",
            defaults={"role": "school_operator", "unit": school, "must_change_password": False},
        )
    for user in User.objects.filter(username__startswith=("bench_operator_")) | User.objects.filter(
        username__startswith="load_school_"
    ):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    progress = bench.page_url("progress", "national", YEAR, project)
    summary = bench.page_url("summary", "national", YEAR, project)
    authority_pages = {
        "home": "/",
        "progress": progress,
        "summary": summary,
        "filings": reverse("funds:filing_list", kwargs={"category": "national"}),
        "findings": reverse("anomalies:tuition_waiver"),
        "jobs": "/jobs/",
    }
    return {
        "authorities": [f"bench_operator_{c}" for c in ("000000", "610000", "610112")],
        "schools": [f"load_school_{s.code}" for s in schools],
        "authority_pages": authority_pages,
        "school_pages": {"home": "/", "findings": authority_pages["findings"], "jobs": "/jobs/"},
    }


def connections_in_use(url: str, stop: threading.Event, seen: list[int]) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        while not stop.wait(0.5):
            (count,) = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchone()
            seen.append(count)


def run_step(host: str, plan: dict, users: int, seconds: float, url: str) -> dict:
    """Run locust headless (its own process) for `seconds`; its CSV summary, parsed."""
    import csv
    import json
    import tempfile

    stop, seen = threading.Event(), []
    watcher = threading.Thread(target=connections_in_use, args=(url, stop, seen), daemon=True)
    watcher.start()
    with tempfile.TemporaryDirectory() as folder:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--host",
                host,
                "-u",
                str(users),
                "-r",
                str(max(users // 5, 1)),
                "-t",
                f"{int(seconds)}s",
                "--csv",
                f"{folder}/run",
                "--only-summary",
            ],
            env={**os.environ, "ZIZHU_LOAD_PLAN": json.dumps({**plan, "password": PASSWORD})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=seconds + 120,
        )
        if not os.path.exists(f"{folder}/run_stats.csv"):
            sys.exit(f"locust wrote no figures (pip install -e '.[bench]'?):\n{run.stderr[-2000:]}")
        with open(f"{folder}/run_stats.csv", encoding="utf-8") as table:
            lines = list(csv.DictReader(table))
    stop.set()
    watcher.join(5)
    rows, total = {}, {}
    for line in lines:
        figures = (
            int(line["Request Count"]),
            int(line["Failure Count"]),
            *(float(line[p] or 0) for p in ("50%", "95%", "99%")),
        )
        if line["Name"] == "Aggregated":
            total = {
                "rps": float(line["Requests/s"]),
                "requests": figures[0],
                "errors": figures[1],
                "p95": figures[3],
            }
        else:
            rows[line["Name"]] = figures
    return {"rows": rows, **total, "connections": max(seen, default=0)}


def gunicorn(workers: int, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "zizhu.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not start")


def report(title: str, step: dict) -> None:
    print(
        f"\n{title}: {step['rps']:.1f} requests/s, {step['requests']} requests, "
        f"{step['errors']} errors, p95 {step['p95']:.0f} ms, "
        f"at most {step['connections']} DB connections in use"
    )
    print(f"  {'page':<14}{'n':>6}{'err':>5}{'p50':>7}{'p95':>7}{'p99':>7}")
    for name, (n, err, p50, p95, p99) in step["rows"].items():
        print(f"  {name:<14}{n:>6}{err:>5}{p50:>7.0f}{p95:>7.0f}{p99:>7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--web-workers", default="1,2,3,4", help="gunicorn worker counts to try")
    parser.add_argument("--port", type=int, default=18500)
    args = parser.parse_args()
    if args.users > 200 or args.seconds > 600:
        raise SystemExit("bounded: at most 200 users and 600 s per step")
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zizhu_load")
    os.environ["DATABASE_URL"] = url
    plan = prepare(url)
    print(f"load average before: {os.getloadavg()} on {os.cpu_count()} cores (shared machine)")
    knee, best = None, 0.0
    for workers in [int(w) for w in args.web_workers.split(",")]:
        server = gunicorn(workers, args.port)
        try:
            host = f"http://127.0.0.1:{args.port}"
            report(
                f"{workers} gunicorn workers, 1 user (baseline)",
                run_step(host, plan, 1, args.seconds / 2, url),
            )
            step = run_step(host, plan, args.users, args.seconds, url)
            report(f"{workers} gunicorn workers, {args.users} users", step)
            print(f"  load average: {os.getloadavg()}")
        finally:
            server.terminate()
            server.wait(30)
        if step["rps"] < best * 1.05 and knee is None:
            knee = workers
        best = max(best, step["rps"])
    found = f"{knee} workers (no gain beyond)" if knee else "not reached in the counts tried"
    print(f"\nknee: {found}")
    from zizhu.fundreports.rollups import rollup_discrepancies
    from zizhu.funds.ledger import ledger_discrepancies

    ledger, rollups = len(ledger_discrepancies()), len(rollup_discrepancies())
    print(f"after the load: ledger reconciliation {ledger} rows, report totals {rollups} rows")
    raise SystemExit(1 if ledger or rollups else 0)


if __name__ == "__main__":
    main()
