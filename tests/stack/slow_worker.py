"""A `run_huey` worker whose check runs stop in the middle of writing their findings (after
the month's previous findings were deleted in the open transaction), so a test can kill -9
it there. It touches MARKER when it is at that point.

    python -m tests.stack.slow_worker MARKER
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from zizhu.anomalies import services  # noqa: E402


def main(marker: str) -> None:
    insert = services._insert_batch

    def insert_then_hang(objects):
        insert(objects)
        Path(marker).touch()
        time.sleep(600)

    services._insert_batch = insert_then_hang
    call_command("run_huey", "--workers", "1", "--no-periodic")


if __name__ == "__main__":
    main(sys.argv[1])
