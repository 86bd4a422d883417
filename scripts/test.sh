#!/usr/bin/env bash
# Install, start the services the tests talk to (PostgreSQL), and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
if [ -x scripts/ensure-postgres.sh ]; then ./scripts/ensure-postgres.sh; fi
exec python3 -m pytest -q "$@"
