#!/usr/bin/env bash
# The main job on a fresh machine: install the package into .venv, write our sample corpus, learn
# its rules into the embedded SQLite store, list the clusters, then extract an order (its line items
# as rows), a shipping notice, a booking and an account mail with the CLI and with the HTTP service
# (one of them as schema.org JSON-LD), and print the commands to go on with.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
PY=.venv/bin/python
MS=.venv/bin/mailstencil
DATA=${MAILSTENCIL_DEMO_DIR:-data}
STORE="sqlite:///$PWD/$DATA/demo.db"
rm -f "$DATA/demo.db" "$DATA/demo.db-wal" "$DATA/demo.db-shm"
"$MS" sample "$DATA/sample"
"$MS" learn "$DATA/sample" --store "$STORE" 2>/dev/null
"$MS" clusters --store "$STORE" | head -n 8
echo "..."

declare -A MSG
while IFS=$'\t' read -r kind path; do MSG[$kind]=$path; done < <("$PY" scripts/demo_messages.py "$DATA/sample")

echo
echo "=== the CLI: mailstencil extract ${MSG[account mail]} --store $STORE"
"$MS" extract "${MSG[account mail]}" --store "$STORE"

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
MAILSTENCIL_ADMIN_ENABLED=false "$MS" serve --store "$STORE" --host 127.0.0.1 --port "$PORT" >"$DATA/demo-serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
# POST a message file to the service (curl where there is one, else Python's urllib)
post() {
  if command -v curl >/dev/null 2>&1; then
    curl -sf -X POST "$URL/v1/extract$2" -H "Content-Type: message/rfc822" --data-binary "@$1"
  else
    "$PY" -c 'import sys, urllib.request as u
req = u.Request(sys.argv[1], data=open(sys.argv[2], "rb").read(), headers={"Content-Type": "message/rfc822"})
print(u.urlopen(req, timeout=30).read().decode())' "$URL/v1/extract$2" "$1"
  fi
}
for _ in $(seq 1 100); do
  "$PY" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1] + "/readyz", timeout=1)' "$URL" 2>/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$DATA/demo-serve.log" >&2; exit 1; }
  sleep 0.2
done
show() { "$PY" -c 'import json, sys
d = json.load(sys.stdin)
keep = ("cluster", "known", "fields", "items") if "fields" in d else ("@context", "@graph")
print(json.dumps({k: d[k] for k in keep if d.get(k)}, indent=2, ensure_ascii=False))'; }
for kind in "order" "shipping notice" "booking"; do
  echo
  echo "=== the service: POST /v1/extract, the $kind ${MSG[$kind]}"
  post "${MSG[$kind]}" "" | show
done
echo
echo "=== the same booking as schema.org JSON-LD: POST /v1/extract?format=jsonld"
post "${MSG[booking]}" "?format=jsonld" | show

cat <<NEXT

Next:
  MAILSTENCIL_ADMIN_ENABLED=false $MS serve --store $STORE --port 8000
  curl -s -X POST localhost:8000/v1/extract -H "Content-Type: message/rfc822" --data-binary @${MSG[order]}
  $MS extract --help        # and learn, clusters, evaluate: docs/batch.md, docs/service.md
NEXT
