"""The `generate` command line, shared by `manage.py generate` and `python -m zizhu.synth`."""

import argparse
import ctypes

from zizhu.lib.periods import Month
from zizhu.synth.generate import DEFAULT_MONTH, GenerateResult
from zizhu.synth.scales import SCALES

# mallopt(3) parameters (glibc's malloc.h)
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8


def keep_freed_memory() -> None:
    """Let glibc keep the memory of freed arrays for the next part instead of returning it.

    Each part allocates arrays of a few to a few dozen MB; by default glibc maps each one
    afresh and unmaps it when freed, so every part pays page faults for all its memory again
    (province, one thread: 120,000 faults, a fifth to a third of the CPU time in the kernel).
    One arena for both writer threads, no mapping or trimming below 1 GiB: 30,000–43,000
    faults, half the kernel time, a peak within a tenth of the old one. Only for the command:
    a process that went on would keep its peak.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return
    for option, value in ((M_ARENA_MAX, 1), (M_MMAP_THRESHOLD, 2**30), (M_TRIM_THRESHOLD, 2**30)):
        mallopt(option, value)


def month(text: str) -> str:
    try:
        return str(Month.parse(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="output folder (the store, with --keyed)")
    parser.add_argument(
        "--keyed", action="store_true", help="write keyed Parquet in the analytics-store layout"
    )
    parser.add_argument("--month", type=month, default=DEFAULT_MONTH, help="checked month")
    parser.add_argument(
        "--units",
        help="units file whose schools to use (docs/domain.md, formats)",
    )
    parser.add_argument(
        "--register-format",
        choices=("csv", "parquet"),
        default="csv",
        help="raw registers as CSV or Parquet",
    )
    parser.add_argument("--workers", type=int, default=2, help="threads writing keyed parts")


def report(result: GenerateResult) -> list[str]:
    lines = [f"{label}\t{n}" for label, n in result.rows.items()]
    rate = result.total_rows / max(result.seconds, 1e-9)
    lines.append(f"total\t{result.total_rows} rows in {result.seconds:.1f} s ({rate:,.0f} rows/s)")
    lines.append(
        f"ground truth\t{len(result.ground_truth)} findings\t{result.paths['ground_truth']}"
    )
    lines.append(f"decoys\t{len(result.decoys)} rows\t{result.paths['decoys']}")
    return lines
