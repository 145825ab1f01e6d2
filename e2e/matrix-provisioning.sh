#!/usr/bin/env bash
# End to end against a real Matrix homeserver (Synapse, from ../shared/peers): registering an AuraID through the
# API provisions its Matrix user as the Application Service, with the display name set, and the homeserver
# refuses that user name to anyone else (exclusive namespace).
# Needs target/auralink-comm.jar (mvn package), root, curl and python3. The first run on a machine changes the
# host: synapse.sh installs debootstrap with apt-get and builds a Debian root for Synapse (about a minute, from the
# Debian archive the host uses). `mvn -B verify -De2e.skip=true` runs everything else without this script.
# Prints "e2e: N passed, N failed"; exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PEERS=${PEERS:-../shared/peers}
JAR=target/auralink-comm.jar
if [ ! -x "$PEERS/synapse.sh" ]; then
  echo "e2e: skipped, no Matrix peers at $PEERS"
  exit 0
fi
[ -f "$JAR" ] || { echo "e2e: $JAR is missing; run mvn package first" >&2; exit 1; }
SKIP_HINT="or run the suite without the real-Synapse e2e: mvn -B verify -De2e.skip=true"
[ "$(id -u)" = 0 ] || { echo "e2e: needs root (Synapse runs in a chroot); $SKIP_HINT" >&2; exit 1; }
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "e2e: needs $tool; $SKIP_HINT" >&2; exit 1; }
done
if [ ! -d "${SYNAPSE_ROOT:-/var/tmp/auralink-synapse}/usr" ]; then
  echo "e2e: first run on this machine: synapse.sh installs debootstrap (apt-get) and builds Synapse's Debian root" \
    "in ${SYNAPSE_ROOT:-/var/tmp/auralink-synapse} (about a minute, needs the Debian archive)"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d /tmp/auralink-e2e.XXXXXX)
SYNAPSE_PORT=${SYNAPSE_PORT:-8038}
HTTP_PORT=$(free_port)
AS_TOKEN="e2e-as-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
HS_TOKEN="e2e-hs-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
NODE_PID=
passed=0; failed=0
check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
cleanup() {
  [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null
  SYNAPSE_PORT=$SYNAPSE_PORT "$PEERS/synapse.sh" down >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

# 1. Synapse with this service registered as Application Service (AS_URL: the node's Matrix bridge).
SERVER_NAME=${SYNAPSE_SERVER_NAME:-localhost}
AS_PORT=$(free_port)
HS=$(SYNAPSE_PORT=$SYNAPSE_PORT SYNAPSE_SERVER_NAME=$SERVER_NAME AS_URL="http://127.0.0.1:$AS_PORT" AS_TOKEN=$AS_TOKEN HS_TOKEN=$HS_TOKEN \
  "$PEERS/synapse.sh" up) || { echo "e2e: synapse.sh up failed"; echo "e2e: 0 passed, 1 failed"; exit 1; }

# 2. A development node pointed at it (its API over TLS with the CA start-dev creates; this script's curl trusts it).
curl() { command curl --cacert "$WORK/data/tls/ca.pem" "$@"; }
export AURALINK_DATA_DIR=$WORK/data AURALINK_HTTP_PORT=$HTTP_PORT AURALINK_HTTP_HOST=127.0.0.1 \
  AURALINK_CLUSTER_PORT=$(free_port) AURALINK_MATRIX_HOMESERVER_URL=$HS AURALINK_MATRIX_AS_TOKEN=$AS_TOKEN \
  AURALINK_MATRIX_HS_TOKEN=$HS_TOKEN AURALINK_MATRIX_SERVER_NAME=$SERVER_NAME AURALINK_MATRIX_RETRY_INTERVAL=500ms \
  AURALINK_MATRIX_AS_HOST=127.0.0.1 AURALINK_MATRIX_AS_PORT=$AS_PORT
java -jar "$JAR" start-dev > "$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 120); do
  curl -fs "https://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null 2>&1 && break
  sleep 1
done
check "node ready" curl -fs "https://127.0.0.1:$HTTP_PORT/health/ready" -o /dev/null
TOKEN=$(java -jar "$JAR" token --service e2e --scope identity:write --scope identity:admin --ttl 10m | tail -n 1)

# 3. Register an AuraID and wait for its Matrix user.
NAME="e2e$(date +%s)$RANDOM"
STATUS=$(curl -s -o "$WORK/created.json" -w '%{http_code}' -X POST "https://127.0.0.1:$HTTP_PORT/internal/auraid" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"username\":\"$NAME\",\"user_id\":\"acct-$NAME\",\"display_name\":\"E2E $NAME\"}")
check "registration answers 201" test "$STATUS" = 201
MXID="@${NAME}_aura:$SERVER_NAME"
check "the Matrix user id is @<username>_aura:<server>" grep -q "\"matrix_user_id\":\"$MXID\"" "$WORK/created.json"
state=
for _ in $(seq 1 60); do
  state=$(curl -s -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$HTTP_PORT/internal/auraid/@$NAME.aura" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["matrix"]["state"])' 2>/dev/null)
  [ "$state" = provisioned ] && break
  sleep 0.5
done
check "the mapping reaches provisioned" test "$state" = provisioned

# 4. The homeserver has the user, with the display name, and refuses the name to the shared secret.
ENC=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$MXID")
PROFILE=$(curl -s -H "Authorization: Bearer $AS_TOKEN" "$HS/_matrix/client/v3/profile/$ENC?user_id=$ENC")
check "Synapse knows the user with its display name" test "$(printf '%s' "$PROFILE" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("displayname"))')" = "E2E $NAME"
SHARED=$(SYNAPSE_PORT=$SYNAPSE_PORT "$PEERS/synapse.sh" register "${NAME}_aura" pw 2>&1)
check "the namespace is exclusive to the service" grep -q "M_EXCLUSIVE\|reserved" <<<"$SHARED"

if [ "$failed" -gt 0 ]; then
  echo "--- node log (tail)"; tail -n 40 "$WORK/node.log"
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
