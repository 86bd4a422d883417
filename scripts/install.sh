#!/usr/bin/env bash
# Install mailstencil and everything its tests need on a fresh Debian machine (idempotent):
# the package with its dev, postgres and spark extras, and a Java runtime for the Spark engine.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[dev,postgres,spark]"
./scripts/ensure-java.sh
