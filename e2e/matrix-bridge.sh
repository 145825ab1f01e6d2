#!/usr/bin/env bash
# End to end of the Matrix bridge against a real Synapse (from ../shared/peers) and a real matrix-js-sdk client:
# start-dev generates the Application Service tokens, `matrix-registration` prints the registration Synapse is
# started with, and the bridge pings the homeserver at start. AuraIDs' Matrix users (given passwords by a Synapse
# administrator, as an operator would for people who use Element) place legacy VoIP calls: the callee's user joins on
# invite, a call hung up while ringing is cancelled in our call log, an answered one completes with a duration, and a
# call to an AuraID that blocked the caller is rejected in Matrix at once.
# Needs target/auralink-comm.jar (mvn package), root, curl, python3 and node (npm once, for matrix-js-sdk).
# `mvn -B verify -De2e.skip=true` runs everything else without this script.
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
for tool in curl python3 node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "e2e: needs $tool; $SKIP_HINT" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
WORK=$(mktemp -d /tmp/auralink-e2e-bridge.XXXXXX)
SYNAPSE_PORT=${SYNAPSE_PORT:-8068}
SERVER_NAME=${SYNAPSE_SERVER_NAME:-localhost}
HS="http://127.0.0.1:$SYNAPSE_PORT"
HTTP_PORT=$(free_port)
AS_PORT=$(free_port)
# start-dev serves the API over TLS with its own CA under the data directory: this script's curl trusts it (a
# function, not an exported CURL_CA_BUNDLE, so that synapse.sh's own downloads keep the system CAs).
API="https://127.0.0.1:$HTTP_PORT"
curl() { command curl --cacert "$WORK/data/tls/ca.pem" "$@"; }
NODE_PID=
passed=0; failed=0
check() { # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}
stop_node() {
  [ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null && wait "$NODE_PID" 2>/dev/null
  NODE_PID=
}
cleanup() {
  stop_node
  SYNAPSE_PORT=$SYNAPSE_PORT "$PEERS/synapse.sh" down >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
finish() {
  if [ "$failed" -gt 0 ]; then
    echo "--- node log (tail)"; tail -n 60 "$WORK/node.log"
  fi
  echo "e2e: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

export AURALINK_DATA_DIR=$WORK/data AURALINK_HTTP_PORT=$HTTP_PORT AURALINK_HTTP_HOST=127.0.0.1 \
  AURALINK_CLUSTER_PORT=$(free_port) AURALINK_MATRIX_HOMESERVER_URL=$HS AURALINK_MATRIX_SERVER_NAME=$SERVER_NAME \
  AURALINK_MATRIX_AS_HOST=127.0.0.1 AURALINK_MATRIX_AS_PORT=$AS_PORT AURALINK_MATRIX_RETRY_INTERVAL=500ms
unset AURALINK_MATRIX_AS_TOKEN AURALINK_MATRIX_HS_TOKEN AURALINK_MATRIX_AS_URL

start_node() {
  java -jar "$JAR" start-dev >> "$WORK/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 120); do
    curl -fs "$API/health/ready" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}

# 1. A first start-dev generates the tokens; the registration names them and the bridge's listener.
check "start-dev starts without configured Matrix tokens" start_node
stop_node
java -jar "$JAR" matrix-registration > "$WORK/registration.yaml" 2>> "$WORK/node.log"
reg() { sed -n "s/^$1: '\\(.*\\)'\$/\\1/p" "$WORK/registration.yaml"; }
AS_TOKEN=$(reg as_token); HS_TOKEN=$(reg hs_token); AS_URL=$(reg url)
check "the registration carries generated tokens" test -n "$AS_TOKEN" -a -n "$HS_TOKEN" -a "$AS_TOKEN" != "$HS_TOKEN"
check "the registration's URL is the bridge's listener" test "$AS_URL" = "http://127.0.0.1:$AS_PORT"

# 2. Synapse with that registration, then the node again (it keeps its tokens and pings the homeserver).
SYNAPSE_PORT=$SYNAPSE_PORT SYNAPSE_SERVER_NAME=$SERVER_NAME AS_URL=$AS_URL AS_TOKEN=$AS_TOKEN HS_TOKEN=$HS_TOKEN \
  AS_ID=$(reg id) AS_SENDER=$(reg sender_localpart) "$PEERS/synapse.sh" up > /dev/null \
  || { echo "e2e: synapse.sh up failed"; failed=$((failed + 1)); finish; }
check "the node restarts ready" start_node
# The homeserver link is among the health details, for a service with cluster:read.
OPS_TOKEN=$(java -jar "$JAR" token --service e2e-ops --scope cluster:read --ttl 10m | tail -n 1)
ping_age=
for _ in $(seq 1 30); do
  ping_age=$(curl -s -H "Authorization: Bearer $OPS_TOKEN" "$API/internal/health" \
    | json 'd.get("matrix", {}).get("last_ping_age_seconds")' 2>/dev/null)
  [ -n "$ping_age" ] && [ "$ping_age" != None ] && break
  sleep 0.5
done
check "the bridge pinged the homeserver at start (/internal/health)" test -n "$ping_age" -a "$ping_age" != None

# 3. Three AuraIDs with their Matrix users; the callee of the last call blocks the caller.
TOKEN=$(java -jar "$JAR" token --service e2e --scope identity:write --scope identity:admin --scope calls:read \
  --scope calls:write --scope presence:write --ttl 10m | tail -n 1)
RUN="e$(date +%s | tail -c 6)$RANDOM"
register() { # register USERNAME → waits until its Matrix user is provisioned
  curl -s -o /dev/null -X POST "$API/internal/auraid" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"user_id\":\"acct-$1\"}"
  for _ in $(seq 1 60); do
    [ "$(curl -s -H "Authorization: Bearer $TOKEN" "$API/internal/auraid/@$1.aura" | json 'd["matrix"]["state"]' 2>/dev/null)" = provisioned ] && return 0
    sleep 0.5
  done
  return 1
}
ALICE="${RUN}a"; BOB="${RUN}b"; CAROL="${RUN}c"
registered() { register "$ALICE" && register "$BOB" && register "$CAROL"; }
check "three AuraIDs registered, their Matrix users provisioned" registered || finish
CAROL_TOKEN=$(java -jar "$JAR" token --user "@$CAROL.aura" --ttl 10m | tail -n 1)
check "carol blocks alice" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
  "$API/internal/auraid/@$CAROL.aura/contacts/@$ALICE.aura/block" -H "Authorization: Bearer $CAROL_TOKEN")" = 200

# Alice and Bob use Element-like clients: an administrator gives their Matrix users a password.
ADMIN_TOKEN=$(SYNAPSE_PORT=$SYNAPSE_PORT "$PEERS/synapse.sh" register "adm$RUN" admpw admin | json 'd["access_token"]')
for user in "$ALICE" "$BOB"; do
  curl -s -o /dev/null -X PUT "$HS/_synapse/admin/v2/users/@${user}_aura:$SERVER_NAME" \
    -H "Authorization: Bearer $ADMIN_TOKEN" -d '{"password":"e2e-password"}'
done

# Bob's Matrix client is present: the bridge rings only callees with a device that speaks Matrix VoIP.
check "bob's Matrix client is present (presence capability matrix_voip)" test "$(curl -s -o /dev/null -w '%{http_code}' \
  -X POST "$API/internal/presence" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"aura_id\":\"@$BOB.aura\",\"device_id\":\"element\",\"state\":\"online\",\"capabilities\":[\"matrix_voip\"]}")" = 200

calls_of() { curl -s -H "Authorization: Bearer $TOKEN" "$API/internal/calls?aura_id=@$1.aura"; }
await_call() { # await_call AURA_USERNAME STATE → prints the newest call once it has that state
  local call
  for _ in $(seq 1 40); do
    call=$(calls_of "$1" | json 'json.dumps(d["calls"][0]) if d["calls"] else ""' 2>/dev/null)
    if [ -n "$call" ] && [ "$(printf '%s' "$call" | json 'd["state"]')" = "$2" ]; then printf '%s' "$call"; return 0; fi
    sleep 0.5
  done
  printf '%s' "$call"
  return 1
}

# 4. Alice calls Bob and hangs up while it rings: one cancelled matrix_legacy call.
"$PEERS/node/run.sh" matrix-call.mjs --hs "$HS" --user "${ALICE}_aura" --password e2e-password \
  --invitee "@${BOB}_aura:$SERVER_NAME" --wait-ms 2000 > "$WORK/call1.json" 2> "$WORK/call1.err"
check "the callee's user joined the room on invite" test "$(json 'd["invitee_joined"]' < "$WORK/call1.json")" = True
CALL1=$(await_call "$BOB" cancelled)
check "the call is in the log, cancelled" test -n "$CALL1"
check "its entry point is matrix_legacy" test "$(printf '%s' "$CALL1" | json 'd["entry_point"]')" = matrix_legacy
check "its caller is alice" test "$(printf '%s' "$CALL1" | json 'd["caller_aura_id"]')" = "@$ALICE.aura"

# 5. Alice calls Bob, Bob answers from his device, Alice hangs up: completed, with a duration.
"$PEERS/node/run.sh" matrix-call.mjs --hs "$HS" --user "${ALICE}_aura" --password e2e-password \
  --invitee "@${BOB}_aura:$SERVER_NAME" --answer-user "${BOB}_aura" --answer-password e2e-password \
  --wait-ms 1500 > "$WORK/call2.json" 2> "$WORK/call2.err"
CALL2=$(await_call "$BOB" completed)
check "the answered call completes" test -n "$CALL2"
check "it was answered from the party the caller selected" test "$(printf '%s' "$CALL2" | json 'd["answered_device"]')" \
  = "$(json 'd["selected_party_id"]' < "$WORK/call2.json")"
check "it has a duration" test "$(printf '%s' "$CALL2" | json 'd["duration_seconds"] is not None')" = True

# 6. Alice calls Carol, who blocked her: the call is rejected in Matrix at once, nothing rings.
"$PEERS/node/run.sh" matrix-call.mjs --hs "$HS" --user "${ALICE}_aura" --password e2e-password \
  --invitee "@${CAROL}_aura:$SERVER_NAME" --wait-ms 4000 > "$WORK/call3.json" 2> "$WORK/call3.err"
check "the blocked call is rejected by the callee in Matrix" test "$(json \
  '[e for e in d["remote_events"] if e["type"] == "m.call.reject"][0]["sender"]' < "$WORK/call3.json" 2>/dev/null)" \
  = "@${CAROL}_aura:$SERVER_NAME"
check "no call in carol's log" test "$(calls_of "$CAROL" | json 'len(d["calls"])')" = 0

# 7. MatrixRTC: Alice and Bob join a room call as Element Call does (org.matrix.msc3401.call.member state events with a
# LiveKit focus). The node now has LiveKit settings (a room call's LiveKit room is LiveKit's to create on the first
# join, so no LiveKit server is needed to mint and verify tokens). One matrix_rtc call, answered when Bob joins, in the
# LiveKit room Element Call's token service names for the room; a device joining it gets a token LiveKit's verifier
# accepts for that room; both leaving completes it.
stop_node
export AURALINK_LIVEKIT_URL="ws://127.0.0.1:$(free_port)" AURALINK_LIVEKIT_API_KEY=e2e-livekit-key \
  AURALINK_LIVEKIT_API_SECRET="e2e-livekit-secret-$RANDOM$RANDOM-0123456789abcdef"
check "the node restarts ready with LiveKit settings" start_node
login() { # login LOCALPART → access token
  curl -s -X POST "$HS/_matrix/client/v3/login" -H 'Content-Type: application/json' \
    -d "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"$1\"},\"password\":\"e2e-password\"}" \
    | json 'd["access_token"]'
}
ALICE_MX=$(login "${ALICE}_aura"); BOB_MX=$(login "${BOB}_aura")
ALICE_ID="@${ALICE}_aura:$SERVER_NAME"; BOB_ID="@${BOB}_aura:$SERVER_NAME"
RTC_ROOM=$(curl -s -X POST "$HS/_matrix/client/v3/createRoom" -H "Authorization: Bearer $ALICE_MX" \
  -H 'Content-Type: application/json' -d "{\"preset\":\"private_chat\",\"invite\":[\"$BOB_ID\"],
  \"power_level_content_override\":{\"events\":{\"org.matrix.msc3401.call.member\":0}}}" | json 'd["room_id"]')
check "alice created a room and invited bob" test -n "$RTC_ROOM"
bob_joined() {
  for _ in $(seq 1 40); do
    curl -s -H "Authorization: Bearer $ALICE_MX" "$HS/_matrix/client/v3/rooms/$RTC_ROOM/joined_members" \
      | grep -q "$BOB_ID" && return 0
    sleep 0.5
  done
  return 1
}
check "bob's user joined the room on invite" bob_joined
member_event() { # member_event TOKEN USER DEVICE CONTENT → the event id of the state event
  curl -s -X PUT -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
    "$HS/_matrix/client/v3/rooms/$RTC_ROOM/state/org.matrix.msc3401.call.member/_$2_$3" -d "$4" | json 'd["event_id"]'
}
rtc_content() { # rtc_content DEVICE → Element Call's membership content
  printf '{"application":"m.call","call_id":"","scope":"m.room","device_id":"%s","expires":14400000,"focus_active":{"type":"livekit","focus_selection":"oldest_membership"},"foci_preferred":[{"type":"livekit","livekit_service_url":"http://127.0.0.1:8080/livekit/jwt","livekit_alias":"%s"}]}' "$1" "$RTC_ROOM"
}
check "alice's membership is accepted by Synapse" test -n "$(member_event "$ALICE_MX" "$ALICE_ID" ALICEDEV "$(rtc_content ALICEDEV)")"
check "bob's membership is accepted by Synapse" test -n "$(member_event "$BOB_MX" "$BOB_ID" BOBDEV "$(rtc_content BOBDEV)")"
RTC_CALL=$(await_call "$ALICE" answered)
check "the room call is in the log, answered" test -n "$RTC_CALL"
check "its entry point is matrix_rtc" test "$(printf '%s' "$RTC_CALL" | json 'd["entry_point"]')" = matrix_rtc
EXPECTED_ROOM=$(python3 -c 'import base64,hashlib,json,sys; print(base64.b64encode(hashlib.sha256(json.dumps([sys.argv[1],"m.call#ROOM"],separators=(",",":")).encode()).digest()).decode().rstrip("="))' "$RTC_ROOM")
check "its LiveKit room is the one Element Call's token service names" \
  test "$(printf '%s' "$RTC_CALL" | json 'd["room"]')" = "$EXPECTED_ROOM"
check "bob is a member of it" test "$(printf '%s' "$RTC_CALL" | json \
  '[p["role"] + ":" + p["state"] for p in d["participants"] if p["aura_id"] == "@'"$BOB"'.aura"][0]')" = member:joined
RTC_ID=$(printf '%s' "$RTC_CALL" | json 'd["call_id"]')
curl -s -X POST "$API/internal/calls/$RTC_ID/join" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"aura_id\":\"@$BOB.aura\",\"device_id\":\"e2e-second-device\"}" > "$WORK/rtc-join.json"
RTC_JWT=$(json 'd["livekit"]["token"]' < "$WORK/rtc-join.json" 2>/dev/null)
check "a device joining the room call gets a LiveKit token" test -n "$RTC_JWT"
check "LiveKit's verifier accepts it" "$PEERS/node/run.sh" livekit-verify.mjs "$RTC_JWT" "$AURALINK_LIVEKIT_API_KEY" \
  "$AURALINK_LIVEKIT_API_SECRET"
check "the token is for the room call's LiveKit room" test "$(printf '%s' "$RTC_JWT" | python3 -c \
  'import base64,json,sys; p=sys.stdin.read().split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["video"]["room"])')" \
  = "$EXPECTED_ROOM"
member_event "$BOB_MX" "$BOB_ID" BOBDEV '{}' > /dev/null
member_event "$ALICE_MX" "$ALICE_ID" ALICEDEV '{}' > /dev/null
curl -s -o /dev/null -X POST "$API/internal/calls/$RTC_ID/leave" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d "{\"aura_id\":\"@$BOB.aura\"}"
RTC_DONE=$(await_call "$ALICE" completed)
check "the room call completes when its members leave" test -n "$RTC_DONE"
finish
