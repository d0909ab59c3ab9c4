"""The pages of a deadline day, in process: per page and role the wall time (p50/p95), the
Python CPU time, the SQL queries (count and total time) and the template rendering time, so
what each page costs is visible; against the cheapest page measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zizhu_pages \
        .venv/bin/python bench/pages_bench.py [--requests 20] [--code /path/to/other/checkout]

The database is the national build of bench/funds_national.py (built once, as
bench/funds_bench.py does; created and migrated if missing). Each role logs in once (Django's
test client, the whole middleware stack): operators of the centre, Shaanxi and a county
(bench_operator_*) and a school operator of that county (load_school_*, as bench/load.py).
The pages are those of bench/load.py's plan (home with the to-do, progress and summary of the
national project, the filing list, the findings list, the jobs page, a county's allocations)
plus the recipient lists and the voucher pages. Printed per row: p50 and p95 ms of the whole
request, Python CPU ms (p50; PostgreSQL's own time is in the SQL column), queries, SQL ms
(their total, p50), template ms (rendering less the SQL run while rendering, p50) and the
ratio of p50 to the baseline's p50 (the help index of a school operator: the shell and the
session, no data).

`--code DIR` imports zizhu from another checkout (e.g. main before a change) against the same
database; `--compare DIR` runs both in one invocation, each in its own process, in the order
DIR, this, this, DIR (so a load that rises or falls through the run weighs on both alike),
prints each table with the load average beside it, then per row the median p50 and CPU and
the queries of each side.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zizhu_pages"
PROJECT = "compulsory_nutrition"


class Meter:
    """SQL count/time and rendering time of one request (template time excludes its SQL)."""

    def __init__(self):
        self.queries = 0
        self.sql = 0.0
        self.sql_in_render = 0.0
        self.render = 0.0
        self.depth = 0

    def execute(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.queries += 1
            self.sql += spent
            if self.depth:
                self.sql_in_render += spent


def instrument(meter_of) -> None:
    """Time the outermost template render (the backend's Template.render)."""
    from django.template.backends.django import Template

    original = Template.render

    def render(self, context=None, request=None):
        meter = meter_of()
        if meter is None:
            return original(self, context, request)
        meter.depth += 1
        started = time.perf_counter()
        try:
            return original(self, context, request)
        finally:
            meter.depth -= 1
            if not meter.depth:
                meter.render += time.perf_counter() - started

    Template.render = render


def vouchers_url() -> str:
    """The authorities' voucher page: a report page since its totals come from the report
    totals; a checkout from before (--code) names it in the vouchers app."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("fundreports:vouchers")
    except NoReverseMatch:
        return reverse("vouchers:view")


def users_and_pages(year: int) -> list[tuple[str, object, dict[str, str]]]:
    sys.path.insert(0, str(HERE / "bench"))
    import funds_bench
    import funds_national as national
    from django.urls import reverse

    from zizhu.accounts.models import User
    from zizhu.catalogue.models import AidProject
    from zizhu.funds.models import Filing
    from zizhu.units.models import Unit

    project = AidProject.objects.get(code=PROJECT)
    county = Unit.objects.get(code=national.USERS["county"])
    school = Unit.objects.filter(parent=county, level="school", stage="compulsory")
    school = school.order_by("code").first()
    school_user, _created = User.objects.get_or_create(
        username=f"load_school_{school.code}",
        defaults={"role": "school_operator", "unit": school, "must_change_password": False},
    )
    common = {
        "home": "/",
        "filings": reverse("funds:filing_list", kwargs={"category": "national"}),
        "findings": reverse("anomalies:tuition_waiver"),
        "jobs": reverse("jobs:list"),
        "lists": reverse("recipients:list"),
    }
    authority = {
        **common,
        "progress": funds_bench.page_url("progress", "national", year, project),
        "summary": funds_bench.page_url("summary", "national", year, project),
        "vouchers": vouchers_url(),
    }
    school_pages = {
        "help (baseline)": reverse("web:help"),
        **common,
        "vouchers": reverse("vouchers:list"),
        "summary": funds_bench.page_url("summary", "national", year, project),
    }
    rows = [("school", school_user, school_pages)]
    for who, code in national.USERS.items():
        user = User.objects.select_related("unit").get(username=f"bench_operator_{code}")
        pages = authority
        if who == "county":  # the mix's allocation form: a county's page of its allocations
            filing = Filing.objects.get(unit=user.unit, project=project, year=year)
            pages = {**authority, "allocations": reverse("funds:allocations", args=[filing.pk])}
        rows.append((who, user, pages))
    return rows


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def measure_all(requests: int, year: int) -> list[tuple]:
    from django.db import connection
    from django.test import Client

    current: list[Meter | None] = [None]
    instrument(lambda: current[0])
    results = []
    for who, user, pages in users_and_pages(year):
        client = Client()
        client.force_login(user)
        for name, url in pages.items():
            if client.get(url).status_code != 200:  # warm-up, and the page must answer
                raise SystemExit(f"{who} GET {url} did not answer 200")
            walls, cpus, sqls, renders, counts = [], [], [], [], []
            for _ in range(requests):
                meter = current[0] = Meter()
                with connection.execute_wrapper(meter.execute):
                    cpu, started = time.process_time(), time.perf_counter()
                    response = client.get(url)
                    walls.append((time.perf_counter() - started) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
                current[0] = None
                assert response.status_code == 200, (url, response.status_code)
                sqls.append(meter.sql * 1000)
                renders.append((meter.render - meter.sql_in_render) * 1000)
                counts.append(meter.queries)
            results.append(
                (
                    who,
                    name,
                    statistics.median(walls),
                    percentile(walls, 0.95),
                    statistics.median(cpus),
                    max(counts),
                    statistics.median(sqls),
                    statistics.median(renders),
                )
            )
    return results


def print_table(title: str, results: list[tuple]) -> None:
    base = next(r[2] for r in results if "baseline" in r[1])
    print(f"\n{title}")
    head = ("role", "page", "p50 ms", "p95 ms", "CPU ms", "queries", "SQL ms", "tmpl ms", "×base")
    print(f"{head[0]:<10}{head[1]:<17}" + "".join(f"{h:>9}" for h in head[2:]))
    for who, name, p50, p95, cpu, count, sql, render in results:
        print(
            f"{who:<10}{name:<17}{p50:>9.1f}{p95:>9.1f}{cpu:>9.1f}{count:>9}"
            f"{sql:>9.1f}{render:>9.1f}{p50 / base:>9.1f}"
        )
    slowest = sorted((r for r in results if "baseline" not in r[1]), key=lambda r: -r[2])[:5]
    print("slowest five (p50): " + ", ".join(f"{r[0]} {r[1]} {r[2]:.0f} ms" for r in slowest))


def run_here(args, code: Path) -> None:
    sys.path.insert(0, str(code))
    os.chdir(code)
    sys.path.insert(0, str(HERE / "bench"))
    import funds_bench

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    funds_bench.database_create(url, False)
    funds_bench.ROOT = code
    funds_bench.setup(url)
    funds_bench.ensure_built(argparse.Namespace(year=args.year, seed=1, scale=1.0))
    import zizhu

    load = os.getloadavg()
    started = time.perf_counter()
    results = measure_all(args.requests, args.year)
    print_table(
        f"code {Path(zizhu.__file__).parents[1]}, {args.requests} requests per row, "
        f"load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after "
        f"({time.perf_counter() - started:.0f} s, {os.cpu_count()} cores, shared machine)",
        results,
    )
    if args.json:
        with open(args.json, "a", encoding="utf-8") as out:
            out.write(json.dumps({"code": str(code), "rows": results}) + "\n")


def compare(args) -> None:
    """Both checkouts in the order other, this, this, other; then the rows side by side."""
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as store:
        for code in (args.compare, HERE, HERE, args.compare):
            command = [sys.executable, __file__, "--requests", str(args.requests)]
            command += ["--year", str(args.year), "--code", str(code), "--json", store.name]
            subprocess.run(command, check=True)  # noqa: S603 - our own script
        runs = [json.loads(line) for line in store]
    sides: dict[str, dict[tuple, list]] = {}
    for run in runs:
        side = "after" if Path(run["code"]) == HERE else "before"
        for who, name, p50, _p95, cpu, count, _sql, _render in run["rows"]:
            sides.setdefault(side, {}).setdefault((who, name), []).append((p50, cpu, count))
    print(f"\nmedian of two runs each, before = {args.compare}, after = {HERE}")
    head = ("p50 before", "p50 after", "CPU before", "CPU after", "queries")
    print(f"{'role':<10}{'page':<17}" + "".join(f"{h:>12}" for h in head))
    for key, before in sides["before"].items():
        after = sides["after"][key]

        def median(rows: list, i: int) -> float:
            return statistics.median(row[i] for row in rows)

        queries = f"{max(r[2] for r in before)} -> {max(r[2] for r in after)}"
        print(
            f"{key[0]:<10}{key[1]:<17}{median(before, 0):>12.1f}{median(after, 0):>12.1f}"
            f"{median(before, 1):>12.1f}{median(after, 1):>12.1f}{queries:>12}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--code", type=Path, default=HERE, help="checkout to import zizhu from")
    parser.add_argument("--compare", type=Path, help="compare DIR's code with this checkout")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # where a compared run appends
    args = parser.parse_args()
    if args.compare:
        compare(args)
        return
    run_here(args, args.code.resolve())


if __name__ == "__main__":
    main()
