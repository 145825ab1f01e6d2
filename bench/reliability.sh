#!/usr/bin/env bash
# The cluster under faults, long form: three member processes of the packaged jar with a PostgreSQL and a Redis of
# their own, a bounded mixed load over all members, one fault at a time (kill -9; PostgreSQL stopped; Redis
# stopped; SIGSTOP), every acknowledged write read back through every member; then the scaling figures (1, 2, 3
# members under the same load; time to detect a killed member). Writes RELIABILITY.md.
#   bench/reliability.sh [--skip-scaling]
# Durations in the environment: FAULT_SECONDS (10: PostgreSQL and Redis stopped, the killed member's downtime),
# FREEZE_SECONDS (30: SIGSTOP), LOAD_SECONDS (15: load before and after each fault, and per scaling step),
# CLIENTS (4: concurrent clients of the load).
set -euo pipefail
cd "$(dirname "$0")/.."
fault="${FAULT_SECONDS:-10}"
freeze="${FREEZE_SECONDS:-30}"
load="${LOAD_SECONDS:-15}"
clients="${CLIENTS:-4}"
rows="$PWD/target/reliability-faults.md"
scaling="$PWD/target/reliability-scaling.md"

mvn -B -q package -DskipTests
rm -f "$rows" "$scaling"
common=(-B -q -Dsurefire.failIfNoSpecifiedTests=false "-Dauralink.faults.jar=$PWD/target/auralink-comm.jar"
  "-Dfaults.seconds=$fault" "-Dfaults.freeze.seconds=$freeze" "-Dfaults.load.seconds=$load" "-Dfaults.clients=$clients")
status=0
# A fault that misses its target fails the test; its row is written all the same.
mvn "${common[@]}" test -Dtest=ClusterFaultsTest "-Dfaults.report=$rows" || status=$?
if [[ "${1:-}" != --skip-scaling ]]; then
  mvn "${common[@]}" test -Dtest=ClusterScalingTest -Dfaults.scaling=true "-Dfaults.scaling.report=$scaling" || status=$?
fi

{
  echo "# Reliability: the cluster under faults"
  echo
  echo "Measured by \`bench/reliability.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB;"
  echo "${RELIABILITY_MACHINE_NOTE:-the machine was shared with other work, so absolute times are pessimistic})."
  echo "Three members (\`start\`, every role, the packaged jar) share a PostgreSQL and a Redis the harness started;"
  echo "$clients clients send a mixed load (registrations, reports, node registrations, heartbeats, resolves, route"
  echo "queries) round robin over the members in rotation ($load s before and after each fault). A member that is"
  echo "killed or frozen is taken out of rotation at once, as a load balancer would; it is put back once ready."
  echo "Afterwards every acknowledged write (AuraIDs, reports, mesh nodes) is read back through every member, nodes"
  echo "from each member's own graph (\`GET /internal/mesh/nodes/{id}?member=this\`), for up to 10 s."
  echo "*Lost* counts writes missing then; *failed requests* are those not answered or answered 5xx; the longest"
  echo "failure wait is how long the slowest of them took. The same test runs short in every build"
  echo "(\`ClusterFaultsTest\`, surefire execution \`e2e-faults\`)."
  echo
  echo "## Faults (PostgreSQL and Redis stopped $fault s, killed member down $fault s, SIGSTOP $freeze s)"
  echo
  echo "| Fault | Requests | Acknowledged writes | Lost | Failed requests | Longest failure wait | Recovery | Notes |"
  echo "|---|---|---|---|---|---|---|---|"
  cat "$rows" 2>/dev/null || echo "| (no rows: see the test output) |||||||"
  if [[ -f "$scaling" ]]; then
    echo
    echo "## Scaling ($load s of load per cluster size after a 5 s warm-up)"
    echo
    echo "The load generator runs on the same cores as the members, PostgreSQL and Redis: on 2 cores more members"
    echo "share the same CPU, so the figures show the cost of clustering rather than added capacity."
    echo
    echo "| Members | Clients | Requests/s | Failed requests | Time to detect a killed member |"
    echo "|---|---|---|---|---|"
    cat "$scaling"
  fi
} > RELIABILITY.md
echo "wrote RELIABILITY.md" >&2
exit "$status"
