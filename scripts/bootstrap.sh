#!/usr/bin/env bash
# Create .venv and install the project with the given extras ("" for the app, "dev,spark" for
# tests) at the versions of the lock files. Re-installs only when pyproject.toml, a lock or
# the extras changed.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
# the interpreter: $PYTHON; else the distribution's own /usr/bin/python3 when it is 3.11 or
# newer (built with profile-guided optimisation, where a pyenv build usually is not: the
# tests ran ~25 % faster on Debian's 3.11 than on pyenv's); else python3 from the PATH
if [ -n "${PYTHON:-}" ]; then
  python="$PYTHON"
elif /usr/bin/python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  python=/usr/bin/python3
else
  python=python3
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Zizhu needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$python" -m venv .venv
    else
      echo "python venv module missing: install python3-venv (e.g. apt-get install python3-venv)" >&2
      exit 1
    fi
  fi
fi
# the batch keyed hash and the batch sealing are compiled (setup.py): a C compiler and
# OpenSSL's headers; without them the install still works and the imports hash and seal in Python
if [ ! -f /usr/include/openssl/sha.h ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libssl-dev >/dev/null
fi
stamp=".venv/.zizhu-installed"
# The locked versions (scripts/lock.sh, docs/adr/0024): the app alone, or with the dev and
# spark extras for anything more; every file checked against its hash.
lock="requirements.lock"
[ -n "$extras" ] || lock="requirements-app.lock"
want="$(cat pyproject.toml setup.py zizhu/registers/_keyed.c zizhu/lib/_seal.c \
  zizhu/lib/uploads/_scan.c "$lock" | sha256sum | cut -c1-16) extras=[$extras]"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q --require-hashes -r "$lock"
  # then the project itself, editable; its locked dependencies are all there (an extra the
  # lock does not hold, such as bench, is resolved within pyproject.toml's ranges)
  if [ -n "$extras" ]; then
    .venv/bin/python -m pip install -q -e ".[$extras]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  echo "$want" > "$stamp"
fi
