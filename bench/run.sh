#!/usr/bin/env bash
# One command for the benchmarks: builds the jar and runs the scenarios, printing Markdown tables.
#   bench/run.sh [all|http|matrix|hub|search|search-1m|replication|learning]     (default: all)
#   http:        the service over HTTP against a bare Vert.x endpoint (resolve, route query, heartbeat) and the same
#                cached resolve on FastAPI (bench/peer, Debian's python3-fastapi & co., installed when missing), with wrk
#   matrix:      Matrix AS transactions (50 recorded events each) acknowledged per second and their p99, beside echo
#   hub:         presence bulk (500 AuraIDs) and webhook deliveries per second end to end, beside echo
#   search:      JMH on the route search over a synthetic 100k-node, 400k-link mesh, the graph's heap and build time
#   search-1m:   the same tenfold: 1M nodes, 4M links (6 GB heap for the JVM: the snapshot's JSON is held too; not
#                part of all). JMH options may follow in BENCH_JMH, e.g. BENCH_JMH="-wi 1 -i 1" for a short run
#   replication: replication lag between two members
#   learning:    does routing learn? A simulated network with a hidden truth (60 people, 40 relays, fixed seeds):
#                chosen/oracle MOS on held-out pairs before and after 1 200 calls of feedback (LearningSimulation);
#                BENCH_OPTS=-Dbench.detail=true prints every pair that missed the oracle by more than 0.1 MOS
# Options as system properties in BENCH_OPTS, e.g. BENCH_OPTS="-Dbench.seconds=30 -Dbench.connections=128".
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
mvn -B -q package -DskipTests

# Debian packages, refreshing the package lists only when the install fails without.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}

need_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk (Debian package) for the closed-loop measurements" >&2
    apt_install wrk
  fi
}

if [[ "$what" == all || "$what" == http ]]; then
  need_wrk
  # The FastAPI peer (bench/peer) runs on Debian's Python and packages, with a redis-server of its own.
  if ! /usr/bin/python3 -c 'import fastapi, uvicorn, uvloop, httptools, jwt, redis, hiredis' >/dev/null 2>&1 \
      || ! command -v redis-server >/dev/null 2>&1; then
    echo "installing the FastAPI peer's stack and redis-server (Debian packages)" >&2
    apt_install python3-fastapi python3-uvicorn python3-uvloop python3-httptools \
      python3-jwt python3-redis python3-hiredis redis-server
  fi
  java ${BENCH_OPTS:-} -cp target/auralink-comm.jar bench/HttpBench.java bench target/auralink-comm.jar
fi

if [[ "$what" == all || "$what" == matrix || "$what" == hub ]]; then
  need_wrk
  # HubBench uses HttpBench's helpers: both compiled together against the service's jar.
  mkdir -p target/bench
  javac -d target/bench -cp target/auralink-comm.jar bench/HttpBench.java bench/HubBench.java
  scenarios="$what"
  [[ "$what" == all ]] && scenarios="matrix,hub"
  java ${BENCH_OPTS:-} -cp target/bench:target/auralink-comm.jar HubBench "$scenarios" target/auralink-comm.jar
fi

if [[ "$what" == all || "$what" == search || "$what" == search-1m || "$what" == replication || "$what" == learning ]]; then
  mvn -B -q -f bench/mesh/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
  classpath="bench/mesh/target/classes:$(cat bench/mesh/target/classpath.txt)"
  hazelcast_flags="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
    --add-opens java.management/sun.management=ALL-UNNAMED \
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED -Djava.net.preferIPv4Stack=true"
  if [[ "$what" == all || "$what" == search ]]; then
    # shellcheck disable=SC2086
    java -cp "$classpath" org.openjdk.jmh.Main RouteSearchBench ${BENCH_JMH:-} -rf text -rff bench/mesh/target/jmh.txt
  fi
  if [[ "$what" == search-1m ]]; then
    # shellcheck disable=SC2086
    java -cp "$classpath" org.openjdk.jmh.Main RouteSearchBench -p nodes=1000000 -jvmArgs "-Xms6g -Xmx6g" \
      ${BENCH_JMH:-} -rf text -rff bench/mesh/target/jmh-1m.txt
  fi
  if [[ "$what" == all || "$what" == learning ]]; then
    # shellcheck disable=SC2086
    java ${BENCH_OPTS:-} -cp "$classpath" io.auralink.bench.LearningSimulation
  fi
  if [[ "$what" == all || "$what" == replication ]]; then
    # shellcheck disable=SC2086
    java $hazelcast_flags -Xmx1g -Dhazelcast.logging.type=slf4j ${BENCH_OPTS:-} -cp "$classpath" \
      io.auralink.bench.ReplicationBench
  fi
fi
