"""The findings list of the REST API at national scale, against a plain SELECT of the same page.

    DATABASE_URL=postgres://…/zizhu_api_bench .venv/bin/python bench/api_findings.py \
        [--findings 1500000] [--schools 7100] [--pages 40] [--rebuild]

Builds (once; a marker row keeps its parameters) a national tree of 31 provinces, ~3,000
counties and the secondary vocational schools spread over them, one monthly run with
`--findings` findings (COPY-speed INSERT … SELECT), and an operator at the central unit and at
a province. Then, for each operator, it asks `GET /api/v1/findings/?month=…&page_size=100`
(the whole Django stack in process: token, throttle, scope, policy, serializer, audit row) for
the first page, `--pages` pages at random depths (cursors built on random positions) and the
pages after them, and right after each the plain SELECT of the same 100 rows (the scoped join
on the unit path, the same order and bound, rows fetched). Prints p50 / p95 of both and their
ratio, and the load average (the machine is shared).
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from funds_bench import database_create  # noqa: E402 - the bench folder is not a package

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zizhu_api_bench"
MONTH = "2025-10"
MARKER = "bench_api_marker"


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
    os.environ.setdefault("ZIZHU_JOB_QUEUE", "immediate")
    os.environ.setdefault("ZIZHU_API_RATE", "1000000")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def build(findings: int, schools: int, seed: int) -> None:
    from django.db import connection, transaction

    from zizhu.anomalies.models import Run
    from zizhu.units.models import Unit

    wanted = f"findings={findings} schools={schools} seed={seed}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (params text)")
        cursor.execute(f"SELECT params FROM {MARKER}")  # noqa: S608 - a constant name
        row = cursor.fetchone()
    if row and row[0] == wanted:
        print(f"re-using the built database ({wanted})")
        return
    if row:
        raise SystemExit(f"the database holds another build ({row[0]}): use --rebuild")
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        central = Unit.objects.create(
            code="000000", name="教育部", level="central", depth=0, path="000000/"
        )
        made = []

        def unit(code, name, level, parent, **extra):
            return Unit(
                code=code,
                name=name,
                level=level,
                parent=parent,
                path=f"{parent.path}{code}/",
                depth=parent.depth + 1,
                **extra,
            )

        provinces = Unit.objects.bulk_create(
            unit(f"{11 + p:02d}0000", f"省{p}", "province", central) for p in range(31)
        )
        prefectures = Unit.objects.bulk_create(
            unit(f"{pr.code[:2]}{f + 1:02d}00", f"{pr.name}市{f}", "prefecture", pr)
            for pr in provinces
            for f in range(10)
        )
        counties = Unit.objects.bulk_create(
            unit(f"{pf.code[:4]}{c + 1:02d}", f"{pf.name}县{c}", "county", pf)
            for pf in prefectures
            for c in range(10)
        )
        made = Unit.objects.bulk_create(
            unit(f"36{i:08d}", f"职业学校{i}", "school", rng.choice(counties), stage="vocational")
            for i in range(schools)
        )
        run = Run.objects.create(month=MONTH, engine="duckdb", status="done", total=findings)
        ids = [u.pk for u in made]
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO anomalies_finding (run_id, month, rule, risk, programme, school_id,
                    pid, id_masked, counterpart_school_code, counterpart_kind, detail, status)
                SELECT %s, %s, 1 + i %% 24,
                       (ARRAY['high','medium','low'])[1 + i %% 3],
                       (ARRAY['tuition_waiver','national_grant'])[1 + i %% 2],
                       (%s::bigint[])[1 + (i::bigint * 7919) %% %s], i,
                       '610112********123X', '', '', '', 'open'
                FROM generate_series(1, %s) AS i
                """,
                [run.pk, MONTH, ids, len(ids), findings],
            )
            cursor.execute("ANALYZE anomalies_finding")
            cursor.execute("ANALYZE units_unit")
            cursor.execute(f"INSERT INTO {MARKER} VALUES (%s)", [wanted])  # noqa: S608
    print(
        f"built {findings:,} findings at {schools:,} schools in "
        f"{time.perf_counter() - started:.0f} s"
    )


def operator(code: str):
    from zizhu.accounts.models import User
    from zizhu.api.services import api_token_create
    from zizhu.units.models import Unit

    user, _ = User.objects.get_or_create(
        username=f"bench_operator_{code}",
        defaults={
            "role": "operator",
            "unit": Unit.objects.get(code=code),
            "must_change_password": False,
        },
    )
    return user, api_token_create(user=user, name="bench", days=1).value


PLAIN = """
SELECT f.id, f.month, f.rule, f.risk, f.programme, f.status, f.pid, f.id_masked,
       f.counterpart_school_code, f.counterpart_kind, f.detail, u.code, u.name
FROM anomalies_finding f JOIN units_unit u ON u.id = f.school_id
WHERE u.path LIKE %s AND f.month = %s AND f.id > %s
ORDER BY f.id LIMIT 100
"""


def measure(code: str, pages: int, seed: int) -> dict:
    from django.db import connection
    from django.test import Client
    from rest_framework.pagination import Cursor

    from zizhu.api.pagination import Cursor as Pages
    from zizhu.units.models import Unit

    user, token = operator(code)
    path = Unit.objects.get(code=code).path
    client = Client()
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM anomalies_finding")
        top = cursor.fetchone()[0]
    paginator = Pages()
    client.get(f"/api/v1/findings/?month={MONTH}", HTTP_AUTHORIZATION=f"Bearer {token}")  # warm
    starts = [None] + [rng.randrange(1, top) for _ in range(pages)]
    api_ms, plain_ms, rows = [], [], 0
    for start in starts:
        url = f"/api/v1/findings/?month={MONTH}&page_size=100"
        if start is not None:
            paginator.base_url = url
            paginator.ordering = "pk"
            url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(start)))
        for _ in range(2):  # the page and the one after it
            began = time.perf_counter()
            response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
            api_ms.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            results = body["results"]
            rows += len(results)
            after = (start or 0) if not results else results[0]["id"] - 1
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(PLAIN, [f"{path}%", MONTH, after])
                plain = cursor.fetchall()
            plain_ms.append((time.perf_counter() - began) * 1000)
            assert [r[0] for r in plain] == [r["id"] for r in results]
            if not body["next"]:
                break
            url = body["next"]
    return {"api": api_ms, "plain": plain_ms, "rows": rows}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1_500_000)
    parser.add_argument("--schools", type=int, default=7_100)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    database_create(url, args.rebuild)
    setup(url)
    build(args.findings, args.schools, args.seed)
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores, shared)")
    print(
        f"{'operator':<10} {'pages':>5} {'api p50':>9} {'api p95':>9} {'SELECT p50':>11} "
        f"{'SELECT p95':>11} {'p95 ratio':>9}"
    )
    for label, code in (("central", "000000"), ("province", "110000")):
        figures = measure(code, args.pages, args.seed)
        api, plain = figures["api"], figures["plain"]
        print(
            f"{label:<10} {len(api):>5} {statistics.median(api):>7.1f}ms {p95(api):>7.1f}ms "
            f"{statistics.median(plain):>9.1f}ms {p95(plain):>9.1f}ms "
            f"{p95(api) / p95(plain):>8.1f}×"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
