#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth and a `test` database,
# as the store tests expect. Idempotent: does nothing more than checks when that is already so.
# Otherwise installs Debian's postgresql (as root), starts the cluster without systemd, sets
# trust auth for 127.0.0.1 and creates the database.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
DB=test

log() { echo "ensure-postgres: $*" >&2; }
. "$(dirname "$0")/lib.sh"
ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$HOST" -p "$PORT"; }
can_login() { psql -h "$HOST" -p "$PORT" -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; }

cluster_version() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

start_cluster() {
  local ver
  ver="$(cluster_version)"
  if [ -z "$ver" ] || [ ! -d "/etc/postgresql/$ver/main" ]; then
    ver="${ver:-$(ls /usr/lib/postgresql | sort -V | tail -n 1)}"
    log "creating cluster $ver/main"
    as_root pg_createcluster "$ver" main --port "$PORT"
  fi
  log "starting cluster $ver/main"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 60); do
    ready && return 0
    sleep 0.5
  done
  log "PostgreSQL did not come up on $HOST:$PORT"
  as_root tail -n 30 "/var/log/postgresql/postgresql-$ver-main.log" >&2 || true
  exit 1
}

ensure_trust() {
  local ver hba
  ver="$(cluster_version)"
  hba="/etc/postgresql/$ver/main/pg_hba.conf"
  [ -n "$ver" ] && [ -f "$hba" ] || { log "cannot log in and no Debian cluster config to fix"; exit 1; }
  if ! as_root grep -Eq "^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust" "$hba"; then
    log "adding trust auth for $HOST to $hba"
    as_root sed -i "1i host all all 127.0.0.1/32 trust\nlocal all all trust" "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
  sleep 0.5
}

if ! ready; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    log "installing postgresql from Debian's packages"
    apt_install postgresql
  fi
  start_cluster
fi

if ! can_login; then
  ensure_trust
  can_login || { log "still cannot log in as postgres on $HOST:$PORT"; exit 1; }
fi

if [ "$(psql -h "$HOST" -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  log "creating database $DB"
  psql -h "$HOST" -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE \"$DB\""
fi
log "PostgreSQL ready: postgresql://postgres@$HOST:$PORT/$DB"
