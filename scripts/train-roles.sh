#!/usr/bin/env bash
# Reproduce the shipped role model (offline/models/roles.json) in one command: our own sample
# corpus (a training seed the tests do not use, with remixes of every sender) plus ../shared/corpus when it is present, each
# sender's newest 30% held out so evaluation never sees trained-on messages. The corpus's sources
# are real template families: the model averages fits that each leave one of them out.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
MS=.venv/bin/mailstencil
OUT=${1:-offline/models/roles.json}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$MS" sample "$WORK/sample" --training >/dev/null
ARGS=(--truth "$WORK/sample" "$WORK/sample")
if [ -f ../shared/corpus/fields.json ]; then
  ARGS=(--truth ../shared/corpus --truth "$WORK/sample" --families ../shared/corpus ../shared/corpus "$WORK/sample")
fi
"$MS" train-roles "${ARGS[@]}" --out "$OUT"
