#!/usr/bin/env bash
# OS packages the tests use: Debian's Chromium and driver (browser tests), gettext (the
# translation catalogue check), a Java runtime (PySpark local mode), and for the user manual's
# PDF: Pango (WeasyPrint's text layout), a Chinese font, poppler-utils (pdftoppm, to look at pages).
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium chromium-driver)
command -v msgfmt >/dev/null || missing+=(gettext)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v pg_isready >/dev/null || missing+=(postgresql-client)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} …"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing OS packages: ${missing[*]} (install them, e.g. with apt-get); tests that need them are skipped" >&2
  fi
fi
