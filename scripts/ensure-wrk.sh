#!/usr/bin/env bash
# Make sure wrk (the HTTP load generator of `python -m benchmarks`) is on PATH. Idempotent: does
# nothing when `wrk` is already there; otherwise installs Debian's wrk (as root, or with sudo).
set -euo pipefail
log() { echo "ensure-wrk: $*" >&2; }
. "$(dirname "$0")/lib.sh"
if command -v wrk >/dev/null 2>&1; then
  log "$(command -v wrk)"
  exit 0
fi
log "installing wrk from Debian's packages"
apt_install wrk
command -v wrk >&2
