#!/usr/bin/env bash
# Make sure wrk (the HTTP load generator of `python -m benchmarks`) is on PATH. Idempotent: does
# nothing when `wrk` is already there; otherwise installs Debian's wrk (as root, or with sudo).
set -euo pipefail
log() { echo "ensure-wrk: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if command -v wrk >/dev/null 2>&1; then
  log "$(command -v wrk)"
  exit 0
fi
log "installing wrk from Debian's packages"
as_root apt-get update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk
command -v wrk >&2
