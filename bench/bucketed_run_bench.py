"""The bucketed-store prototype of ADR 0020 ("Third pass"), against the product and the floor.

    .venv/bin/python bench/bucketed_run_bench.py STORE [--buckets 32] [--copy DIR]
        [--repeat N] [--parallel 2]

STORE is a keyed store kept by `bench/anomaly_bench.py --keep`. The first time, a copy of every
input (only the columns the checks read) is written to --copy (default: STORE-b{buckets})
bucketed by the top bits of `pid`, with a copy of the phone columns of `lists_term` and the
enrolment registers bucketed by the top bits of `phone_key` (DuckDB `COPY … PARTITION_BY`; its
CPU seconds are printed, they are not what a writer of such a store would pay). Then the scan
floor, the product's run (`run_duckdb`) and the bucketed run alternate --repeat times, each in
a fresh process, and the CPU seconds (all threads), wall seconds, peak and load average of each
are printed with the ratios to the floor's CPU and the target (≤ 1.5×). The bucketed run must
return the product's findings, row for row.

The bucketed run: `phone_persons` bucket by bucket from the phone copy, then `checks.VIEWS` (but
`phone_persons`), `checks.FOUND` and `checks.FINDINGS` unchanged over each `pid` bucket (every
join of the duplicate and age checks is on `pid`), --parallel buckets at a time on one DuckDB
thread each, and the union of the buckets' findings in `checks.ORDER`. Not the product: the
store contract has no buckets.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHONE_SOURCES = ("enrolment_senior_high", "enrolment_compulsory", "enrolment_vocational")
SUBJECT = "stage = 'vocational' AND programme IN ('tuition_waiver', 'national_grant')"
PHONE_PERSONS = """
SELECT phone_key, COUNT(*) AS persons
FROM (
  SELECT DISTINCT phone_key, pid FROM read_parquet({files})
  WHERE phone_key IN (SELECT phone_key FROM read_parquet({files}) WHERE subject)
) pairs
GROUP BY phone_key
HAVING COUNT(*) > 1
"""


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _month(store: Path) -> str:
    return json.loads((store / "summary.json").read_text("utf-8"))["month"]


def _bucket(column: str, buckets: int) -> str:
    """The bucket of a uniform 64-bit key: its top bits, 0 … buckets-1."""
    shift = 64 - (buckets.bit_length() - 1)
    return f"CAST(({column} >> {shift}) + {buckets // 2} AS INTEGER)"


def write_copy(store: Path, copy: Path, buckets: int) -> None:
    import duckdb

    from zizhu.anomalies.engine.duckdb_engine import register
    from zizhu.anomalies.engine.inputs import locate

    if buckets < 2 or buckets & (buckets - 1):
        raise SystemExit("--buckets must be a power of two ≥ 2")
    inputs = locate(store, _month(store))
    partial = copy.with_name(copy.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    cpu, started = _cpu_seconds(), time.perf_counter()
    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")
    register(con, inputs)
    for source in inputs.sources:
        if not source.files:
            continue  # an empty input: the bucketed run registers it empty too
        columns = ", ".join(source.columns)
        con.execute(
            f"COPY (SELECT {columns}, {_bucket('pid', buckets)} AS b FROM {source.view}) "  # noqa: S608
            f"TO '{partial / source.view}' (FORMAT parquet, PARTITION_BY (b))"
        )
    phones = [
        f"SELECT phone_key, pid, {SUBJECT} AS subject FROM lists_term WHERE phone_key IS NOT NULL",  # noqa: S608
        *(
            f"SELECT phone_key, pid, FALSE FROM {view} WHERE phone_key IS NOT NULL"  # noqa: S608
            for view in PHONE_SOURCES
        ),
    ]
    con.execute(
        f"COPY (SELECT *, {_bucket('phone_key', buckets)} AS b FROM ("  # noqa: S608
        + " UNION ALL ".join(phones)
        + f")) TO '{partial / 'phones'}' (FORMAT parquet, PARTITION_BY (b))"
    )
    con.close()
    partial.rename(copy)
    print(f"bucketed copy written to {copy}: {_cpu_seconds() - cpu:.1f} CPU s, "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip


def run_bucketed(store: Path, copy: Path, parallel: int):  # noqa: ANN201 (pyarrow.Table)
    import duckdb
    import pyarrow as pa

    from zizhu.anomalies.engine import checks
    from zizhu.anomalies.engine.duckdb_engine import _arrow
    from zizhu.anomalies.engine.findings import finalise
    from zizhu.anomalies.engine.inputs import VIEW_COLUMNS, locate
    from zizhu.anomalies.engine.rules import rules_table

    inputs = locate(store, _month(store))
    buckets = sorted(int(p.name[2:]) for p in (copy / "phones").glob("b=*"))
    con = duckdb.connect(":memory:", config={"threads": 1})
    con.execute("SET preserve_insertion_order = false")

    def files(view: str, bucket: int) -> str:
        return f"'{copy / view / f'b={bucket}' / '*.parquet'}'"

    def phones(bucket: int) -> pa.Table:
        cursor = con.cursor()
        try:
            return _arrow(cursor.sql(PHONE_PERSONS.format(files=files("phones", bucket))))
        finally:
            cursor.close()

    with ThreadPoolExecutor(parallel) as pool:
        phone_persons = pa.concat_tables(list(pool.map(phones, buckets)))
    params = pa.table({
        "school_year": pa.array([inputs.school_year], pa.int32()),
        "reference_date": pa.array([inputs.reference_date], pa.date32()),
    })  # fmt: skip

    def findings(bucket: int) -> pa.Table:
        cursor = con.cursor()
        try:
            cursor.register("rules", rules_table())
            cursor.register("params", params)
            cursor.register("phone_persons", phone_persons)
            for view, types in VIEW_COLUMNS.items():
                if (copy / view / f"b={bucket}").is_dir():
                    projection = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in types.items())
                    source = f"SELECT {projection} FROM read_parquet({files(view, bucket)})"  # noqa: S608
                else:
                    columns = ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in types.items())
                    source = f"SELECT {columns} WHERE FALSE"
                cursor.execute(f"CREATE TEMP VIEW {view} AS {source}")
            for name, sql, _ in checks.VIEWS:
                if name != "phone_persons":
                    cursor.execute(f"CREATE TEMP VIEW {name} AS {sql}")
            cursor.execute(f"CREATE TEMP TABLE found AS {checks.FOUND}")
            return _arrow(cursor.sql(checks.FINDINGS.split("ORDER BY")[0]))
        finally:
            cursor.close()

    with ThreadPoolExecutor(parallel) as pool:
        found = pa.concat_tables(list(pool.map(findings, buckets)))
    con.register("bucket_findings", found)
    ordered = _arrow(con.sql(f"SELECT * FROM bucket_findings ORDER BY {checks.ORDER}"))  # noqa: S608
    con.close()
    return finalise(ordered, inputs.month)


def child(step: str, store: Path, copy: Path, parallel: int, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    import pyarrow.parquet as pq

    from zizhu.anomalies.engine import run_duckdb, scan_floor

    cpu, started = _cpu_seconds(), time.perf_counter()
    if step == "copy":
        write_copy(store, copy, parallel)  # parallel: the number of buckets here
    elif step == "floor":
        scan_floor(store, _month(store))
    elif step == "product":
        pq.write_table(run_duckdb(store, _month(store)), out)
    else:
        pq.write_table(run_bucketed(store, copy, parallel), out)
    if step == "copy":
        return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"cpu": _cpu_seconds() - cpu, "wall": time.perf_counter() - started, "peak_mb": peak}
    print("RESULT " + json.dumps(result), flush=True)


def step(name: str, args: argparse.Namespace, out: Path) -> dict:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, str(args.store), str(args.copy),
         str(args.parallel), str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    result = json.loads(line.removeprefix("RESULT "))
    result["load"] = load
    print(f"{name:<9} CPU {result['cpu']:7.2f} s  wall {result['wall']:7.2f} s  "
          f"peak {result['peak_mb']:7,.0f} MB  (load before {load})", flush=True)  # fmt: skip
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, name, store, copy, parallel, out = sys.argv
        child(name, Path(store), Path(copy), int(parallel), Path(out))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--buckets", type=int, default=32)
    parser.add_argument("--copy", type=Path, help="the bucketed copy (default: STORE-bN)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--parallel", type=int, default=2, help="buckets run at a time")
    args = parser.parse_args()
    args.store = args.store.resolve()
    args.copy = (args.copy or args.store.with_name(f"{args.store.name}-b{args.buckets}")).resolve()
    if not args.copy.is_dir():  # in a child too: the parent's peak would be the children's
        subprocess.run(
            [sys.executable, __file__, "--child", "copy", str(args.store), str(args.copy),
             str(args.buckets), os.devnull],
            check=True,
        )  # fmt: skip
    import pyarrow.parquet as pq

    product_out = args.copy / "_product.parquet"
    bucketed_out = args.copy / "_bucketed.parquet"
    results: dict[str, list[dict]] = {"floor": [], "product": [], "bucketed": []}
    for _ in range(args.repeat):
        results["floor"].append(step("floor", args, product_out))
        results["product"].append(step("product", args, product_out))
        results["bucketed"].append(step("bucketed", args, bucketed_out))
        if pq.read_table(product_out) != pq.read_table(bucketed_out):
            raise SystemExit("the bucketed run's findings differ from the product's")
    floor = min(r["cpu"] for r in results["floor"])
    print(f"\nbest CPU of {args.repeat}: floor {floor:.2f} s; findings identical "
          f"({pq.read_metadata(product_out).num_rows:,} rows)")  # fmt: skip
    for name in ("product", "bucketed"):
        cpu = min(r["cpu"] for r in results[name])
        peak = max(r["peak_mb"] for r in results[name])
        ratio = cpu / floor
        print(f"{name:<9} CPU {cpu:7.2f} s = {ratio:.2f}× the floor (target ≤ 1.5: "
              f"{'met' if ratio <= 1.5 else 'MISSED'}), peak {peak:,.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
