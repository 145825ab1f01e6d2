#!/usr/bin/env bash
# One command for the benchmarks: builds the jar and runs every scenario, printing a Markdown table.
# Options as system properties in BENCH_OPTS, e.g. BENCH_OPTS="-Dbench.seconds=30 -Dbench.connections=128".
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk (Debian package) for the closed-loop measurements" >&2
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
mvn -B -q package -DskipTests
java ${BENCH_OPTS:-} -cp target/auralink-comm.jar bench/ResolveBench.java bench target/auralink-comm.jar
