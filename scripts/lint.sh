#!/usr/bin/env bash
# Static checks, as CI runs them after the tests: ruff (lint and format) over the tree, mypy strict
# over the package and the benchmarks. Needs the test environment (./scripts/install.sh test, which test.sh runs).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy --strict mailstencil benchmarks  # rules, offline and app are in it (mailstencil/rules -> ../rules ...)
