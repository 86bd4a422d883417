#!/usr/bin/env bash
# Reproduce the shipped role model (offline/models/roles.json) in one command: our own sample
# corpus (a training seed the tests do not use) plus ../shared/corpus when it is present, each
# sender's newest 30% held out so evaluation never sees trained-on messages. The corpus's sources
# are real template families: the model averages fits that each leave one of them out.
# Usage: scripts/train-roles.sh [OUT.json [TRAIN-ROLES OPTION...]], e.g. `--corrections STORE_URL`
# to learn from the console's corrections too (the model records how many labels they gave).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
MS=.venv/bin/mailstencil
OUT=${1:-offline/models/roles.json}
if [ $# -gt 0 ]; then shift; fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$MS" sample "$WORK/sample" --per-template 12 --seed 1 >/dev/null
ARGS=(--truth "$WORK/sample" "$WORK/sample")
if [ -f ../shared/corpus/fields.json ]; then
  ARGS=(--truth ../shared/corpus --truth "$WORK/sample" --families ../shared/corpus ../shared/corpus "$WORK/sample")
fi
"$MS" train-roles "${ARGS[@]}" --out "$OUT" "$@"
