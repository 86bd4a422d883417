#!/usr/bin/env bash
# Install (the project's .venv with the test extras, Java and Chromium), start the services the tests talk
# to (PostgreSQL), and run the whole test suite in that environment.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh test
./scripts/ensure-postgres.sh
exec .venv/bin/python -m pytest -q "$@"
