"""`python -m zizhu.synth …`: the generate command without Django (raw pids stay empty)."""

import argparse

from zizhu.synth.cli import add_arguments, keep_freed_memory, report
from zizhu.synth.generate import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m zizhu.synth", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args()
    keep_freed_memory()
    result = generate(
        out=args.out,
        scale=args.scale,
        seed=args.seed,
        month=args.month,
        keyed=args.keyed,
        units_file=args.units,
        register_format=args.register_format,
        workers=args.workers,
    )
    for line in report(result):
        print(line)


if __name__ == "__main__":
    main()
