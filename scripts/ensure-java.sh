#!/usr/bin/env bash
# Make sure a Java runtime (17+) is on PATH for the Spark engine (pyspark runs on the JVM).
# Idempotent: does nothing when `java` is already there; otherwise installs Debian's
# openjdk-17-jre-headless (as root, or with sudo).
set -euo pipefail
log() { echo "ensure-java: $*" >&2; }
. "$(dirname "$0")/lib.sh"
if command -v java >/dev/null 2>&1; then
  log "$(java -version 2>&1 | head -n 1)"
  exit 0
fi
log "installing openjdk-17-jre-headless from Debian's packages"
apt_install openjdk-17-jre-headless
java -version 2>&1 | head -n 1 >&2
