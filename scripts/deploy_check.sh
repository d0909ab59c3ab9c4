#!/usr/bin/env bash
# Django's deployment checklist under the production settings, failing on any warning:
#   python manage.py check --deploy --fail-level WARNING
# with ZIZHU_ENV=production and throwaway secrets made for this run only (nothing is connected
# to: the database and Redis addresses are never used by the checks). Run by test.sh; the
# caller's ZIZHU_* variables are kept (but those above), so a setting can be tried:
#   ZIZHU_HSTS_SECONDS=0 scripts/deploy_check.sh   # fails: security.W004
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
secret() { "$python" -c 'import secrets; print(secrets.token_urlsafe(64))'; }
data_key() { "$python" -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())'; }
data_dir="$(mktemp -d)"
trap 'rm -rf "$data_dir"' EXIT

# A clean environment: the caller's ZIZHU_* settings and nothing else of its shell (a test
# runner's DJANGO_ALLOW_ASYNC_UNSAFE, say, is not the production's).
settings=()
while IFS= read -r line; do settings+=("$line"); done < <(env | grep '^ZIZHU_' || true)
env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 "${settings[@]}" \
  ZIZHU_ENV=production \
  ZIZHU_SECRET_KEY="$(secret)" \
  ZIZHU_HASH_KEY="$(secret)" \
  ZIZHU_DATA_KEYS="check:$(data_key)" \
  ZIZHU_ALLOWED_HOSTS="${ZIZHU_ALLOWED_HOSTS:-zizhu.example.org}" \
  DATABASE_URL="postgres://deploy-check@127.0.0.1:1/deploy-check" \
  ZIZHU_JOB_QUEUE="redis://127.0.0.1:1/0" \
  ZIZHU_DATA_DIR="$data_dir" \
  "$python" manage.py check --deploy --fail-level WARNING
