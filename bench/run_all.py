"""Every benchmark of issue 17 in one run, one after the other, for the README's table.

    .venv/bin/python bench/run_all.py [--out DIR] [--only NAME ...] [--database-url URL]
        [--load-database-url URL] [--workdir DIR]

Runs, in this order, each in its own process and never two at once, each after the machine
has settled from the one before (its writes flushed, the CPUs idle: `settle`): the generator,
the register import, the list imports (100,000-row XLSX and 1,000,000-row CSV, on SQLite and
on PostgreSQL), the 24 rules at province and national scale (the national store generated
once, in the same run), the pages in process and the deadline-day load at 150 and at 200
users. Each benchmark's whole output goes to DIR/NAME.log; the 1-minute load average is
printed before and after each (from /proc/loadavg), so a figure taken on a busy machine shows
as such. Each benchmark prints its own baseline of the same run and its target; this script
only sequences them and prints where the logs are.

The PostgreSQL benchmarks need `--database-url` (a database the list benchmark may write to)
and `--load-database-url` (the national build of bench/funds_national.py, for the pages and the
load); without them those steps are skipped, and the skip is printed.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


QUIET_IDLE = 0.9  # the share of idle CPU over QUIET_SECONDS that counts as a quiet machine
QUIET_SECONDS = 2.0
SETTLE_AT_MOST = 120.0


def _cpu_times() -> tuple[int, int]:
    """(idle, total) jiffies of all CPUs since boot (/proc/stat); (0, 0) where there is none."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    return fields[3] + fields[4], sum(fields)  # idle + iowait


class Settled(NamedTuple):
    synced: float  # seconds `sync` took
    waited: float  # seconds in all, the sync included
    idle: float  # the idle share of the last window

    def __str__(self) -> str:
        return f"sync {self.synced:.1f} s; settled in {self.waited:.1f} s (idle {self.idle:.0%})"


def settle() -> Settled:
    """Let what the previous step left behind finish before the next one's clock starts: its
    written pages go to disk (`sync`), then wait until the CPUs are idle (PostgreSQL's
    autovacuum after the list imports and the load), at most SETTLE_AT_MOST seconds. Returns
    what it did, for the log. (It did not explain the register import's 2.11-2.26 s inside a
    run against 1.17 s alone: no step waited more than 2.2 s; docs/adr/0020.)"""
    started = time.perf_counter()
    os.sync()
    synced = time.perf_counter() - started
    idle_share = 0.0
    while time.perf_counter() - started < SETTLE_AT_MOST:
        idle, total = _cpu_times()
        time.sleep(QUIET_SECONDS)
        idle_after, total_after = _cpu_times()
        if total_after == total:  # no /proc/stat: nothing to wait for
            break
        idle_share = (idle_after - idle) / (total_after - total)
        if idle_share >= QUIET_IDLE:
            break
    return Settled(synced, time.perf_counter() - started, idle_share)


def plan(args: argparse.Namespace) -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, argv, extra environment) of each benchmark, in order."""
    workdir = Path(args.workdir).resolve()  # the benchmarks run with working folders of their own
    steps: list[tuple[str, list[str], dict[str, str]]] = [
        (
            "generate",
            ["bench/generate_bench.py", "--scales", "province", "national"]
            + ["--workdir", str(workdir / "generated")],
            {},
        ),
        ("register-csv", ["bench/import_register_bench.py", "--repeat", "3"], {}),
        ("lists-xlsx-sqlite", ["bench/import_recipients_bench.py", "--repeat", "3"], {}),
        ("lists-csv-sqlite", ["bench/import_recipients_bench.py", "--format", "csv"], {}),
    ]
    if args.database_url:
        steps += [
            (
                "lists-xlsx-postgresql",
                ["bench/import_recipients_bench.py", "--repeat", "2"]
                + ["--database-url", args.database_url],
                {},
            ),
            (
                "lists-csv-postgresql",
                ["bench/import_recipients_bench.py", "--format", "csv"]
                + ["--database-url", args.database_url],
                {},
            ),
        ]
    steps.append(
        (
            "anomalies",
            ["bench/anomaly_bench.py", "--repeat", "2", "--workdir", str(workdir / "stores")]
            + ["--scales", "province", "national", "twice_national"],
            {},
        )
    )
    if args.load_database_url:
        # as the production stack runs them: sessions through the shared cache
        env = {"DATABASE_URL": args.load_database_url, "ZIZHU_CACHE_URL": args.cache_url}
        steps += [
            ("pages", ["bench/pages_bench.py", "--requests", "20"], env),
            # the jobs pages with a year's jobs, added and rolled back in one transaction
            ("jobs", ["bench/jobs_bench.py", "--requests", "15"], env),
        ]
        # the load as the production stack runs it: the jobs on the Redis queue as well
        load_env = {**env, "ZIZHU_JOB_QUEUE": args.queue_url}
        # 150 users pausing 0.5-2 s between tasks ask for at most ~130 requests/s; 200 users (the
        # bound of load.py) ask for up to ~175/s, past the target, so the server's limit shows
        steps += [
            (
                f"load-{users}",
                ["bench/load.py", "--users", str(users), "--seconds", "60", "--web-workers", "2"]
                + ["--no-baseline"],
                load_env,
            )
            for users in (150, 200)
        ]
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="var/bench", help="where the logs go")
    parser.add_argument("--workdir", default="var/bench/work", help="generated files")
    parser.add_argument("--only", nargs="+", help="run only these steps (names as printed)")
    parser.add_argument("--database-url", help="PostgreSQL for the list benchmarks")
    parser.add_argument("--load-database-url", help="the national build, for pages and load")
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/1", help="the shared cache of the web"
    )
    parser.add_argument(
        "--queue-url", default="redis://127.0.0.1:6379/2", help="the job queue of the load steps"
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = plan(args)
    names = [name for name, _, _ in steps]
    if not args.database_url:
        print("skipped: lists on PostgreSQL (no --database-url)")
    if not args.load_database_url:
        print("skipped: pages and load (no --load-database-url)")
    for unknown in set(args.only or []) - set(names):
        sys.exit(f"unknown step {unknown!r}; steps: {', '.join(names)}")
    failed = []
    for name, argv, env in steps:
        if args.only and name not in args.only:
            continue
        log = out / f"{name}.log"
        settled = settle()
        before, started = load_average(), time.perf_counter()
        print(f"{name}: {settled}; load {before} … ", end="", flush=True)
        with log.open("w", encoding="utf-8") as stream:
            stream.write(f"# {' '.join(argv)}\n# {settled}\n# load average before: {before}\n")
            stream.flush()
            code = subprocess.call(
                [PYTHON, *argv],
                cwd=ROOT,
                stdout=stream,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
            )
            after = load_average()
            stream.write(f"# load average after: {after}; exit {code}\n")
        seconds = time.perf_counter() - started
        print(f"{seconds:.0f} s, load after {after}, exit {code}: {log}")
        if code:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
