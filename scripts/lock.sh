#!/usr/bin/env bash
# Re-pin requirements/*.lock from pyproject.toml with uv (run after changing a dependency, then
# commit the result): base.lock for the package, test.lock adds the dev and spark extras
# at the same versions, serve.lock the serving image's subset (serve.in). Universal locks: one file
# for every platform and Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOL=$(mktemp -d)
trap 'rm -rf "$TOOL"' EXIT
"${PYTHON:-python3}" -m venv "$TOOL"
"$TOOL/bin/python" -m pip install --disable-pip-version-check --quiet uv
compile() { "$TOOL/bin/uv" pip compile --quiet --universal --python-version 3.11 --no-header pyproject.toml "$@"; }
compile -o requirements/base.lock
compile --extra dev --extra spark -c requirements/base.lock -o requirements/test.lock
"$TOOL/bin/uv" pip compile --quiet --universal --python-version 3.11 --no-header requirements/serve.in \
  -c requirements/base.lock -o requirements/serve.lock
