#!/usr/bin/env bash
# Install everything the tests need and run them: lint, format, migrations, types, pytest.
# On SQLite by default; set DATABASE_URL=postgres://… to run on PostgreSQL (as CI does).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh "dev,spark"
scripts/system-packages.sh

export ZIZHU_JOB_QUEUE="${ZIZHU_JOB_QUEUE:-immediate}"
export ZIZHU_DATA_DIR="${ZIZHU_DATA_DIR:-$PWD/var/test}"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python manage.py makemigrations --check --dry-run
# known vulnerabilities in the installed packages, with the expiring ignore list
# (scripts/pip-audit-ignores.toml); Django's deployment checklist under production settings
.venv/bin/python scripts/audit_dependencies.py
scripts/deploy_check.sh
# the typed core, strict (the files are listed in pyproject.toml's [tool.mypy])
.venv/bin/mypy
# Two workers (pytest-xdist), one per core; ZIZHU_TEST_WORKERS=0 runs in one process.
.venv/bin/python -m pytest -n "${ZIZHU_TEST_WORKERS:-2}" "$@"
