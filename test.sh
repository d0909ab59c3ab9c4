#!/usr/bin/env bash
# Install everything the tests need and run them: lint, format, migrations, translations, pytest.
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
.venv/bin/python -m pytest "$@"
