"""The jobs page at a year's size: the newest hundred jobs that a user at each depth of the
tree may follow (the query of the jobs page), with the jobs table grown from a month's size
to a year's, against the floor of the page (the table's newest hundred jobs, unscoped).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zizhu_pages \
        .venv/bin/python bench/jobs_bench.py [--jobs 100000 500000] [--requests 15]

The database is the national build of bench/funds_national.py (built once, as
bench/pages_bench.py does). Every school submits a list a month and more, so a year is some
hundreds of thousands of jobs. The jobs are added in one transaction, spread evenly over the
schools and newer than any job there, measured at each size and rolled back: the database
is left as it was. Printed per size and unit: p50 and p95 ms, the rows, and the p50 against
the floor's p50; then each unit's p50 at the largest size against the smallest. A page whose
query reads the whole table grows with the table; the page's queries should grow at most
with the unit's own share of it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zizhu_pages"
# the centre, a province, a prefecture, a county and one of its schools of the national build
UNITS = ("000000", "610000", "610100", "610112")


def add_jobs(count: int, after: int) -> None:
    """`count` list-import jobs, school by school in turn, each newer than the last."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM units_unit WHERE level = 'school'")
        (schools,) = cursor.fetchone()
        cursor.execute(
            """
            WITH school AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                FROM units_unit WHERE level = 'school'
            ), newest AS (
                SELECT coalesce(max(created_at), now()) AS at FROM jobs_job
            )
            INSERT INTO jobs_job (kind, params, status, done, total, message, result,
                                  unit_id, created_at, worker)
            SELECT 'recipients_import', '{}', 'done', 1, 1, '', '{}', school.id,
                   newest.at + g * interval '1 millisecond', ''
            FROM generate_series(%s, %s) AS g
            CROSS JOIN newest
            JOIN school ON school.n = (g::bigint * 7919) %% %s
            """,
            [after + 1, after + count, schools],
        )
        cursor.execute("ANALYZE jobs_job")


def users() -> list[tuple[str, object]]:
    """A user of each depth: the build's operator, moved in memory to the unit measured."""
    from zizhu.accounts.models import User
    from zizhu.accounts.roles import Role
    from zizhu.units.models import Unit

    base = User.objects.get(username="bench_operator_000000")
    found = []
    for code in UNITS:
        user = User.objects.get(pk=base.pk)
        user.unit = Unit.objects.get(code=code)
        found.append((user.unit.name, user))
    school = Unit.objects.filter(level="school", path__startswith=found[-1][1].unit.path).first()
    user = User.objects.get(pk=base.pk)
    user.unit, user.role = school, Role.SCHOOL_OPERATOR
    found.append((school.name, user))
    return found


def measure(read, requests: int) -> tuple[float, float, int]:
    times, rows = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        rows = len(read())
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[100_000, 500_000])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE / "bench"))
    import funds_bench

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    funds_bench.database_create(url, False)
    funds_bench.setup(url)
    funds_bench.ensure_built(argparse.Namespace(year=args.year, seed=1, scale=1.0))

    from django.db import connection, transaction

    from zizhu.jobs.models import Job
    from zizhu.jobs.selectors import ROW_COLUMNS, newest_rows

    def page(user):
        # the jobs page's query (zizhu.jobs.views.job_list)
        return lambda: newest_rows(user)

    def floor():  # the same columns of the table's newest 100, the submitter's included
        return list(Job.objects.values_list(*ROW_COLUMNS)[:100])

    who = users()
    p50s: dict[str, list[float]] = {}
    with transaction.atomic():
        added = Job.objects.count()
        for size in sorted(args.jobs):
            add_jobs(size - added, added)
            added = size
            base = measure(floor, args.requests)
            print(
                f"\n{Job.objects.count():,} jobs in the table, load average "
                f"{os.getloadavg()[0]:.2f}; floor (the newest 100, unscoped) p50 "
                f"{base[0]:.1f} ms"
            )
            print(f"  {'unit':24} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5} {'× floor':>8}")
            for name, user in who:
                p50, p95, rows = measure(page(user), args.requests)
                p50s.setdefault(name, []).append(p50)
                print(f"  {name:24} {p50:8.1f} {p95:8.1f} {rows:5} {p50 / base[0]:8.1f}")
        transaction.set_rollback(True)
    # the rolled-back rows stay in the table and its indexes as dead rows until a vacuum, and
    # the benchmarks after this one (the load) would read past them: vacuumed now
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Job._meta.db_table)}")
    first, last = min(args.jobs), max(args.jobs)
    print(f"\nthe table {last / first:.1f}× larger; each unit's p50:")
    for name, (small, *_, large) in p50s.items():
        print(f"  {name:24} {large / small:5.2f}×")
    print("(the jobs added are rolled back)")


if __name__ == "__main__":
    main()
