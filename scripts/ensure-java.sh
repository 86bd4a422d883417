#!/usr/bin/env bash
# Make sure a Java runtime (17+) is on PATH for the Spark engine (pyspark runs on the JVM).
# Idempotent: does nothing when `java` is already there; otherwise installs Debian's
# openjdk-17-jre-headless (as root, or with sudo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_tool java openjdk-17-jre-headless java -version
