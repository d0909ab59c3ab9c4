#!/usr/bin/env bash
# Back up Zizhu into a new folder: the PostgreSQL database (pg_dump, custom format), the
# analytics store and the media folder (tar), with SHA-256 sums.
#
#   DATABASE_URL=postgres://… ZIZHU_DATA_DIR=… scripts/backup.sh /backups/zizhu-$(date +%F)
#
# The keys are NOT in the backup: keep ZIZHU_SECRET_KEY, ZIZHU_DATA_KEYS and ZIZHU_HASH_KEY (the
# store's HMAC key: without it stored keys never match new imports) in the secret store,
# separately (docs/operations.md, "Backups"). Run from the project folder with the same
# environment as the application (ZIZHU_STORE, ZIZHU_MEDIA_ROOT, ZIZHU_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:?usage: scripts/backup.sh DEST_FOLDER (must not exist)}"
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
python="${PYTHON:-.venv/bin/python}"
[ -e "$dest" ] && { echo "backup: $dest exists; give a new folder" >&2; exit 1; }

read -r store media < <("$python" - <<'PY'
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zizhu.settings")
import django
django.setup()
from django.conf import settings
print(settings.ZIZHU_STORE, settings.MEDIA_ROOT)
PY
)
case "$store" in
  *://*) echo "backup: the store is object storage ($store): back it up with the bucket's versioning/replication; only the database and media are saved here" >&2; store="" ;;
esac

mkdir -p "$dest.partial"
pg_dump --format=custom --no-owner --no-privileges --file "$dest.partial/database.dump" "$DATABASE_URL"
for part in store media; do
  folder="${!part}"
  if [ -n "$folder" ] && [ -d "$folder" ]; then
    tar -C "$folder" -czf "$dest.partial/$part.tar.gz" .
  else
    tar -czf "$dest.partial/$part.tar.gz" --files-from /dev/null
  fi
done
(cd "$dest.partial" && sha256sum database.dump store.tar.gz media.tar.gz > SHA256SUMS)
mv "$dest.partial" "$dest"  # a backup folder is complete or absent
echo "backup: $dest ($(du -sh "$dest" | cut -f1))"
