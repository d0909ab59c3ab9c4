#!/usr/bin/env bash
# OS packages the tests use: Debian's Chromium and driver (browser tests), gettext (the
# translation catalogue check) and a Java runtime (PySpark local mode).
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium chromium-driver)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v pg_isready >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} …"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing OS packages: ${missing[*]} (install them, e.g. with apt-get); tests that need them are skipped" >&2
  fi
fi
