#!/usr/bin/env bash
# The main job on a fresh machine: install, write our sample corpus, learn its rules into the
# embedded SQLite store, list the clusters and extract fields from the newest messages.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
DATA=${MAILSTENCIL_DEMO_DIR:-data}
STORE="sqlite:///$PWD/$DATA/demo.db"
rm -f "$DATA/demo.db" "$DATA/demo.db-wal" "$DATA/demo.db-shm"
mailstencil sample "$DATA/sample"
mailstencil learn "$DATA/sample" --store "$STORE"
mailstencil clusters --store "$STORE" | head -n 12
echo "--- extracted (the newest message of each of three templates) ---"
for tpl in $(find "$DATA/sample" -mindepth 4 -maxdepth 4 -type d | sort | head -n 3); do
  mailstencil extract "$(ls "$tpl"/*.eml | sort | tail -n 1)" --store "$STORE"
done
