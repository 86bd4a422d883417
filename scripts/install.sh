#!/usr/bin/env bash
# Install mailstencil into the project's own virtual environment (.venv), never into the system
# Python, so it works where that Python is EXTERNALLY-MANAGED (Debian 12+, Ubuntu 23.04+). Versions
# come from the lock files (scripts/lock.sh writes them), the package itself is installed editable:
#   scripts/install.sh        the package and its runtime dependencies (requirements/base.lock)
#   scripts/install.sh test   plus the dev and spark extras (requirements/test.lock), Java and
#                             Chromium with its WebDriver (the console's browser tests)
# Idempotent, and quick when neither the lock nor pyproject.toml changed since the last run.
# PYTHON picks the interpreter that makes the environment (default python3, 3.11 or newer).
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${1:-base}
case "$PROFILE" in
  base | test) ;;
  *) echo "usage: $0 [base|test]" >&2; exit 2 ;;
esac
PY=${PYTHON:-python3}
VENV=.venv
LOCK=requirements/$PROFILE.lock
log() { echo "install: $*" >&2; }
. scripts/lib.sh  # the working directory is the project root (above)

command -v "$PY" >/dev/null 2>&1 || { log "no $PY on PATH: install Python 3.11 or newer (or set PYTHON)"; exit 1; }
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  log "$PY is $("$PY" -V 2>&1); mailstencil needs Python 3.11 or newer (set PYTHON=...)"
  exit 1
fi

make_venv() { rm -rf "$VENV" && "$PY" -m venv "$VENV" >/dev/null 2>&1; }
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  log "creating the virtual environment $VENV with $("$PY" -V 2>&1)"
  if ! make_venv; then
    # Debian and Ubuntu ship venv's ensurepip in a separate package
    pkg="python$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
    command -v apt-get >/dev/null 2>&1 || { log "$PY -m venv failed and there is no apt-get"; exit 1; }
    log "$PY -m venv failed; installing Debian's $pkg"
    apt_install "$pkg"
    make_venv || { rm -rf "$VENV"; "$PY" -m venv "$VENV"; }
  fi
fi

stamp="$VENV/.installed-$PROFILE"
want="$(cat "$LOCK" pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing $LOCK into $VENV"
  pip=("$VENV/bin/python" -m pip --disable-pip-version-check --quiet)
  "${pip[@]}" install -r "$LOCK"
  "${pip[@]}" install --no-deps -e .
  echo "$want" >"$stamp"
fi
if [ "$PROFILE" = test ]; then ./scripts/ensure-java.sh; ./scripts/ensure-chromium.sh; fi
