#!/usr/bin/env bash
# Make sure wrk (the HTTP load generator of `python -m benchmarks`) is on PATH. Idempotent: does
# nothing when `wrk` is already there; otherwise installs Debian's wrk (as root, or with sudo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_tool wrk wrk command -v wrk
