#!/usr/bin/env bash
# Regenerate the locked dependencies from pyproject.toml (docs/adr/0024):
#   requirements.lock      the app with the dev and spark extras: CI, the tests, the audit
#   requirements-app.lock  the app alone, at the same versions: run.sh and production
# Every version pinned, every file of it hashed, for any platform and Python >= 3.11. Pins
# that still satisfy pyproject.toml are kept; `scripts/lock.sh --upgrade` moves all of them to
# the newest allowed, `--upgrade-package NAME` one. Needs uv (in the dev extra).
set -euo pipefail
cd "$(dirname "$0")/.."
uv="${UV:-.venv/bin/uv}"
common=(--universal --python-version 3.11 --generate-hashes --quiet)
common+=(--custom-compile-command "scripts/lock.sh")
"$uv" pip compile pyproject.toml --extra dev --extra spark "${common[@]}" "$@" \
  -o requirements.lock
"$uv" pip compile pyproject.toml --constraint requirements.lock "${common[@]}" \
  -o requirements-app.lock
