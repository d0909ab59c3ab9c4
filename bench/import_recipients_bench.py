"""Recipient-list import speed: a 100,000-row XLSX read, validated and stored, against the
python-calamine read of the same file (every cell visited) as the baseline, in the same run.

    .venv/bin/python bench/import_recipients_bench.py [--rows 100000] [--database-url URL]
        [--repeat 3]

Each phase runs in its own process so that its peak memory (max RSS) is its own; the phases
alternate `--repeat` times and the best of each is compared (the machine is shared: the load
average is printed beside each figure). Targets (issue 17): import ≤ 2× the calamine read,
peak ≤ 300 MB.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_file(path: Path, rows: int) -> None:
    import xlsxwriter

    from zizhu.lib.idnumber import check_char

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["身份证件号", "姓名", "资助金额", "年级", "专业", "联系电话"])
    for n in range(rows):
        first17 = f"61{n // 1000 % 10000:04d}2008{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        sheet.write_row(
            n + 1,
            0,
            [first17 + check_char(first17), f"学生{n}", "1150", "一年级", "数控技术", f"13{n:09d}"],
        )
    workbook.close()


def phase_calamine(path: str) -> dict:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    workbook = CalamineWorkbook.from_path(path)
    rows = -1  # the header
    for row in workbook.get_sheet_by_index(0).iter_rows():
        rows += 1
        for _ in row:
            pass
    return {"rows": rows, "seconds": time.perf_counter() - started}


def phase_import(path: str) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zizhu.catalogue.models import AidProject
    from zizhu.lib.tabular import read_table
    from zizhu.recipients.services import recipient_list_import
    from zizhu.recipients.validation import COLUMNS
    from zizhu.units.services import UnitRow, units_import

    units_import(
        rows=[
            UnitRow("610000", "陕西省", "province", "000000"),
            UnitRow("3661000001", "基准学校", "school", "610000", stage="vocational"),
        ]
    )
    from zizhu.units.models import Unit

    school = Unit.objects.get(code="3661000001")
    project = AidProject.objects.get(code="vocational_national_grant")
    started = time.perf_counter()
    table = read_table(path, COLUMNS)
    read = time.perf_counter() - started
    result = recipient_list_import(
        school=school, project=project, year=2025, term="autumn", rows=table.rows
    )
    return {"rows": result.rows, "seconds": time.perf_counter() - started, "read": read}


def run_phase(name: str, path: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--phase", choices=["calamine", "import"])
    parser.add_argument("file", nargs="?")
    args = parser.parse_args()
    if args.phase:
        result = (phase_calamine if args.phase == "calamine" else phase_import)(args.file)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "list.xlsx"
        make_file(path, args.rows)
        env = {
            **os.environ,
            "ZIZHU_DATA_DIR": work,
            "ZIZHU_JOB_QUEUE": "immediate",
            "PYTHONPATH": str(ROOT),
        }
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        print(
            f"file: {args.rows} rows, {path.stat().st_size / 1e6:.1f} MB XLSX; "
            f"database: {'PostgreSQL' if args.database_url else 'SQLite'}"
        )
        best: dict[str, dict] = {}
        for _ in range(args.repeat):
            for name in ("calamine", "import"):
                figures = run_phase(name, path, env)
                figures["load"] = os.getloadavg()[0]
                if name not in best or figures["seconds"] < best[name]["seconds"]:
                    best[name] = figures
        print(f"best of {args.repeat}, each phase in its own process")
        print(
            f"{'phase':34} {'rows':>8} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'load 1m':>8}"
        )
        for name, label in (
            ("calamine", "baseline: python-calamine read"),
            ("import", "zizhu: read + validate + store"),
        ):
            f = best[name]
            print(
                f"{label:34} {f['rows']:>8} {f['seconds']:>8.2f} "
                f"{f['rows'] / f['seconds']:>9.0f} {f['peak_mb']:>8.0f} {f['load']:>8.2f}"
            )
        f = best["import"]
        ratio = f["seconds"] / best["calamine"]["seconds"]
        print(f"  of which reading the XLSX (zizhu.lib.tabular): {f['read']:.2f} s")
        met = {True: "met", False: "MISSED"}
        print(
            f"ratio {ratio:.2f}x the calamine read (target ≤ 2x: {met[ratio <= 2]}); "
            f"peak {f['peak_mb']:.0f} MB (target ≤ 300 MB: {met[f['peak_mb'] <= 300]})"
        )


if __name__ == "__main__":
    main()
