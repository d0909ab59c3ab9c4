"""The national-scale funds database of bench/funds_bench.py: every division, ~230,000 schools
spread over the counties (COPY), a year of two projects filed and allocated down to every
school of their stage (zizhu/demo/funds_year.py at national scale), deadlines, receipts,
vouchers, and an operator at the central unit, a province and a county.

Needs Django set up on the benchmark database. `build` is all or nothing (one transaction)
and leaves a marker row with its parameters, so a later run with the same ones re-uses it.
"""

import random
import time

from django.db import connection, transaction

# stage → (school category, name, schools in the country, share hanging directly under a
# prefecture or the province instead of a county); 2023 orders of magnitude, preschools cut
STAGES = {
    "compulsory": ("21", "小学", 190_000, 0.0),
    "senior_high": ("34", "中学", 15_000, 0.05),
    "vocational": ("36", "职业中学", 7_100, 0.2),
    "preschool": ("11", "幼儿园", 12_000, 0.0),
    "special": ("51", "特殊教育学校", 2_300, 0.0),
    "higher": ("41", "学院", 3_000, 0.9),
}
PROJECTS = ("compulsory_nutrition", "vocational_national_grant")
MARKER = "bench_funds_marker"
USERS = {"central": "000000", "province": "610000", "county": "610112"}


def params(year: int, seed: int, scale: float) -> str:
    return f"year={year} seed={seed} scale={scale} schools={sorted(STAGES.items())}"


def built_params() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (params text, seconds float)")
        cursor.execute(f"SELECT params FROM {MARKER}")  # noqa: S608 - a constant name
        row = cursor.fetchone()
    return row[0] if row else None


def _schools(seed: int, scale: float) -> list[tuple]:
    """Unit rows (code, name, level, parent_id, path, depth, stage, ownership, kind, active),
    built before the COPY starts: the connection can run no query during it."""
    from zizhu.units.models import Level, Unit

    rng = random.Random(f"schools-{seed}")  # noqa: S311 - synthetic data
    authorities = list(
        Unit.objects.exclude(level__in=[Level.SCHOOL, Level.CENTRAL])
        .order_by("code")
        .values_list("id", "code", "name", "level", "path")
    )
    rows = []
    counties = [a for a in authorities if a[3] == Level.COUNTY]
    upper = {
        lv: [a for a in authorities if a[3] == lv] for lv in (Level.PROVINCE, Level.PREFECTURE)
    }
    weights = [rng.uniform(0.3, 1.7) for _ in counties]
    sequence: dict[str, int] = {}
    for stage, (category, label, count, direct) in STAGES.items():
        n = int(count * scale)
        n_direct = int(n * direct)
        parents = rng.choices(counties, weights, k=n - n_direct)
        parents += [
            rng.choice(upper[Level.PROVINCE] if rng.random() < 0.5 else upper[Level.PREFECTURE])
            for _ in range(n_direct)
        ]
        for number, (pid, code, name, _level, path) in enumerate(parents):
            prefix = f"{category}{code[:2]}"
            sequence[prefix] = sequence.get(prefix, 0) + 1
            school = f"{prefix}{sequence[prefix]:06d}"
            rows.append(
                (
                    *(school, f"{name}第{number % 97 + 1}{label}", Level.SCHOOL, pid),
                    *(f"{path}{school}/", path.count("/"), stage),
                    *("private" if rng.random() < 0.1 else "public", "", True),
                )
            )
    return rows


def build(*, year: int, seed: int, scale: float) -> dict:
    """Load divisions, schools, the funds year and the users; return counts and timings."""
    from zizhu.accounts.models import User
    from zizhu.demo.funds_year import Plan, funds_year_load
    from zizhu.lib.bulk import insert_rows
    from zizhu.units.files import read_divisions
    from zizhu.units.models import Unit
    from zizhu.units.services import units_import

    timings, started = {}, time.perf_counter()
    with transaction.atomic():
        units_import(rows=read_divisions())
        timings["divisions"] = time.perf_counter() - started
        columns = ["code", "name", "level", "parent", "path", "depth", "stage", "ownership"]
        schools = insert_rows(Unit, [*columns, "kind", "is_active"], _schools(seed, scale))
        timings["schools_s"] = time.perf_counter() - started - timings["divisions"]
        plans = (
            Plan("compulsory_nutrition", 1000, (40, 90)),
            Plan("vocational_national_grant", 2300, (15, 30)),
        )
        mark = time.perf_counter()
        counts = funds_year_load(
            year=year, seed=seed, plans=plans, school_funds=False, check=False, voucher_files=False
        )
        timings["funds"] = time.perf_counter() - mark
        units = {u.code: u for u in Unit.objects.filter(code__in=USERS.values())}
        for code in USERS.values():
            User.objects.create(
                username=f"bench_operator_{code}",
                role="operator",
                unit=units[code],
                must_change_password=False,
            )
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {MARKER}")  # noqa: S608 - a constant name
            cursor.execute(
                f"INSERT INTO {MARKER} VALUES (%s, %s)",  # noqa: S608 - a constant name
                [params(year, seed, scale), seconds],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"schools": schools, **counts, "seconds": seconds, **timings}
