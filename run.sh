#!/usr/bin/env bash
# Install and run Zizhu on SQLite with the demo province: http://127.0.0.1:8000/
# The demo accounts are printed on start (lines beginning with DEMO).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh ""
exec .venv/bin/python manage.py serve "$@"
