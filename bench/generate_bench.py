"""How fast `generate --keyed` writes the synthetic world, against a plain Parquet baseline.

    .venv/bin/python bench/generate_bench.py [--scales province national] [--workdir DIR]

For each scale: rows written, wall time, rows/s and the generator's peak memory (its own
process, measured by the kernel), then the time pyarrow takes to write the same number of
random int64 values to Parquet in 2 M-row parts: the floor for any writer on this machine.
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


def command() -> list[str]:
    installed = subprocess.run(
        [sys.executable, "manage.py", "help", "generate"],
        cwd=ROOT,
        capture_output=True,
    )
    if installed.returncode == 0:
        return [sys.executable, "manage.py", "generate"]
    return [sys.executable, "-m", "zizhu.synth"]


def run_generator(base: list[str], scale: str, seed: int, out: Path) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        [*base, "--scale", scale, "--seed", str(seed), "--keyed", "--out", str(out)],
        cwd=ROOT,
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
        "peak_mb": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "disk_mb": disk / 2**20,
        "findings": summary["ground_truth"],
    }


def baseline(rows: int, out: Path) -> float:
    """Seconds to write `rows` random int64 values to Parquet, in parts like the generator's."""
    out.mkdir(parents=True)
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for part, start in enumerate(range(0, rows, CHUNK)):
        values = rng.integers(-(2**63), 2**63 - 1, min(CHUNK, rows - start), dtype=np.int64)
        pq.write_table(pa.table({"value": values}), out / f"part-{part:05d}.parquet")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["province", "national"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", help="where to write (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the written files")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="generate-bench-"))
    base = command()
    print(f"command: {' '.join(Path(base[0]).name if i == 0 else a for i, a in enumerate(base))}")
    print(f"{'scale':<10}{'rows':>14}{'seconds':>9}{'rows/s':>13}{'peak MB':>9}{'disk MB':>9}"
          f"{'baseline rows/s':>17}{'vs baseline':>12}{'load 1m':>14}")  # fmt: skip
    try:
        for scale in args.scales:
            out = workdir / scale
            shutil.rmtree(out, ignore_errors=True)
            result = run_generator(base, scale, args.seed, out)
            load_after_run = os.getloadavg()[0]
            if not args.keep:
                shutil.rmtree(out)
            floor = baseline(result["rows"], workdir / f"{scale}-baseline")
            load_after_floor = os.getloadavg()[0]
            shutil.rmtree(workdir / f"{scale}-baseline")
            rate = result["rows"] / result["seconds"]
            floor_rate = result["rows"] / floor
            print(f"{scale:<10}{result['rows']:>14,}{result['seconds']:>9.1f}{rate:>13,.0f}"
                  f"{result['peak_mb']:>9.0f}{result['disk_mb']:>9.0f}{floor_rate:>17,.0f}"
                  f"{rate / floor_rate:>11.2f}x"
                  f"{load_after_run:>7.1f}/{load_after_floor:<6.1f}")  # fmt: skip
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
