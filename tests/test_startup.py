"""What a process of the site loads when it starts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_process_of_the_site_does_not_load_the_check_engines():
    """DuckDB (~20 MB in every process) and Spark are imported by the monthly run and the
    enrolment check that use them, not by every web process and worker when it starts (the
    site's apps, its URLs and the job kinds loaded)."""
    code = (
        "import sys, django; django.setup(); import zizhu.urls, zizhu.jobs.kinds; "
        "print(sorted(name for name in ('duckdb', 'pyspark') if name in sys.modules))"
    )
    started = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "zizhu.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert started.stdout.strip().splitlines()[-1] == "[]"
