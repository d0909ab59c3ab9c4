#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh into a fresh, empty database and empty store and media
# folders, then check the ledger reconciliation and the report totals (0 rows each).
#
#   DATABASE_URL=postgres://…/zizhu_new ZIZHU_DATA_DIR=… scripts/restore.sh /backups/zizhu-2026-12-04
#
# Set ZIZHU_HASH_KEY and ZIZHU_DATA_KEYS (and ZIZHU_SECRET_KEY) to the keys of the backed-up installation first:
# they are kept separately from the backup (docs/operations.md, "Backups").
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:?usage: scripts/restore.sh BACKUP_FOLDER}"
: "${DATABASE_URL:?DATABASE_URL must point at a new, empty PostgreSQL database}"
python="${PYTHON:-.venv/bin/python}"
(cd "$src" && sha256sum --quiet -c SHA256SUMS) || { echo "restore: $src is damaged" >&2; exit 1; }

tables=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
[ "$tables" = 0 ] || { echo "restore: the database is not empty ($tables tables); create a new one" >&2; exit 1; }
read -r store media < <("$python" - <<'PY'
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
import django
django.setup()
from django.conf import settings
print(settings.ZIZHU_STORE, settings.MEDIA_ROOT)
PY
)
for part in store media; do
  folder="${!part}"
  case "$folder" in *://*) continue ;; esac
  if [ -d "$folder" ] && [ -n "$(ls -A "$folder")" ]; then
    echo "restore: $folder is not empty" >&2; exit 1
  fi
done

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$DATABASE_URL" "$src/database.dump"
for part in store media; do
  folder="${!part}"
  case "$folder" in *://*) echo "restore: $part is object storage: restore it from the bucket"; continue ;; esac
  mkdir -p "$folder"
  tar -C "$folder" -xzf "$src/$part.tar.gz"
done
"$python" manage.py migrate --verbosity 0  # a backup of an older release is brought up to date
"$python" - <<'PY'
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
import django
django.setup()
from zizhu.funds.ledger import ledger_discrepancies
from zizhu.fundreports.rollups import rollup_discrepancies
ledger, rollups = len(ledger_discrepancies()), len(rollup_discrepancies())
print(f"restore: ledger reconciliation {ledger} rows, report totals {rollups} rows")
raise SystemExit(1 if ledger or rollups else 0)
PY
