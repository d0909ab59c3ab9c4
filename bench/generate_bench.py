"""How fast `generate --keyed` writes the synthetic world, against a plain Parquet baseline.

    .venv/bin/python bench/generate_bench.py [--scales province national] [--workdir DIR]
        [--before /path/to/other/checkout]

For each scale: rows written, wall time, CPU seconds (user and kernel, all threads), rows/s
and the generator's peak memory (its own process, measured by the kernel), then the time
pyarrow takes to write the same number of random int64 values to Parquet in 2 M-row parts:
the floor for any writer on this machine (its CPU seconds too: on a shared machine they
move less with the load than wall time does).
The ratio is printed against issue 17's target: the generator near that int64 write (1.0×).
`--before` times the generator of another checkout (e.g. main) in the same run, just before
this one, so that a change is compared under the same load.
The machine may be shared: each line ends with the 1-minute load average after the generator
and after the baseline ran, so that figures from a busy machine are not taken for idle ones.
Uses `manage.py generate` once `zizhu.synth` is installed, else `python -m zizhu.synth`.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 2_000_000
TARGET = 1.0  # issue 17: the generator near writing one int64 column


def command(root: Path) -> list[str]:
    installed = subprocess.run(
        [sys.executable, "manage.py", "help", "generate"],
        cwd=root,
        capture_output=True,
    )
    if installed.returncode == 0:
        return [sys.executable, "manage.py", "generate"]
    return [sys.executable, "-m", "zizhu.synth"]


def run_generator(root: Path, base: list[str], scale: str, seed: int, out: Path) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        [*base, "--scale", scale, "--seed", str(seed), "--keyed", "--out", str(out)],
        cwd=root,
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"generate --scale {scale} failed")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    disk = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {
        "rows": summary["total_rows"],
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,  # all its threads, user and kernel
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "disk_mb": disk / 2**20,
        "findings": summary["ground_truth"],
    }


def baseline(rows: int, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds to write `rows` random int64 values to Parquet, in parts like the
    generator's."""
    out.mkdir(parents=True)
    rng = np.random.default_rng(0)
    started, cpu = time.perf_counter(), time.process_time()
    for part, start in enumerate(range(0, rows, CHUNK)):
        values = rng.integers(-(2**63), 2**63 - 1, min(CHUNK, rows - start), dtype=np.int64)
        pq.write_table(pa.table({"value": values}), out / f"part-{part:05d}.parquet")
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["province", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="where to write (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the written files")
    parser.add_argument("--before", help="another checkout whose generator to time first")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="generate-bench-"))
    trees = [("this", ROOT)]
    if args.before:
        trees.insert(0, ("before", Path(args.before).resolve()))
    print(
        f"command: {' '.join(Path(a).name if i == 0 else a for i, a in enumerate(command(ROOT)))}"
    )
    print(f"target: {TARGET:.1f}x the int64 write (issue 17)")
    print(f"{'scale':<10}{'tree':<8}{'rows':>14}{'seconds':>9}{'cpu s':>8}{'rows/s':>13}"
          f"{'peak MB':>9}{'disk MB':>9}{'baseline rows/s':>17}{'its cpu s':>10}"
          f"{'vs baseline':>12}{'load 1m':>14}")  # fmt: skip
    try:
        for scale in args.scales:
            results = []
            for name, root in trees:
                out = workdir / f"{scale}-{name}"
                shutil.rmtree(out, ignore_errors=True)
                result = run_generator(root, command(root), scale, args.seed, out)
                result["load"] = os.getloadavg()[0]
                if not args.keep:
                    shutil.rmtree(out)
                results.append((name, result))
            rows = results[-1][1]["rows"]
            floor, floor_cpu = baseline(rows, workdir / f"{scale}-baseline")
            load_after_floor = os.getloadavg()[0]
            shutil.rmtree(workdir / f"{scale}-baseline")
            floor_rate = rows / floor
            for name, result in results:
                rate = result["rows"] / result["seconds"]
                print(f"{scale:<10}{name:<8}{result['rows']:>14,}{result['seconds']:>9.1f}"
                      f"{result['cpu']:>8.1f}"
                      f"{rate:>13,.0f}{result['peak_mb']:>9.0f}{result['disk_mb']:>9.0f}"
                      f"{floor_rate:>17,.0f}{floor_cpu:>10.1f}{rate / floor_rate:>11.2f}x"
                      f"{result['load']:>7.1f}/{load_after_floor:<6.1f}")  # fmt: skip
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
