package io.auralink.comm.call.impl;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The call domain's SQL. A change of state is one conditional UPDATE from the states {@link CallStates} allows, so of
 * two members racing on a call exactly one changes it; ring deadlines are on the database's clock.
 */
final class CallStore {

  /** A call's columns with its participants and their devices, as {@link Call#from} reads them. */
  private static final String CALL = """
      SELECT c.*, (SELECT coalesce(json_agg(json_build_object('aura_id', p.aura_id, 'role', p.role, 'state', p.state, 'devices',
          (SELECT coalesce(json_agg(d.device_id ORDER BY d.joined_at, d.device_id), '[]'::json) FROM call_devices d
           WHERE d.call_id = p.call_id AND d.aura_id = p.aura_id))
        ORDER BY p.role = 'caller' DESC, p.aura_id), '[]'::json)
        FROM call_participants p WHERE p.call_id = c.call_id) AS participants
      FROM calls c""";

  /** A call to store: who, how, the route and room, and how long it rings. */
  record NewCall(UUID id, String caller, String callerDevice, List<String> callees, String entryPoint,
                 String externalId, String mediaType, JsonObject route, String room, String liveKitUrl,
                 long ringMillis) {
  }

  private static final String UNIQUE_VIOLATION = "23505";

  private final Pool pool;

  CallStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a ringing call with its participants and the caller's device, in one transaction; empty if the entry
   * point's {@code external_id} started a call already.
   */
  Future<Optional<Call>> insert(NewCall call) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          INSERT INTO calls (call_id, caller_aura_id, entry_point, external_id, media_type, route, route_id, room,
            livekit_url, ring_deadline)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10))
          ON CONFLICT (entry_point, external_id) DO NOTHING
          RETURNING created_at""")
        .execute(Tuple.from(Arrays.asList(call.id(), call.caller(), call.entryPoint(), call.externalId(),
          call.mediaType(), call.route(), routeId(call.route()), call.room(), call.liveKitUrl(), call.ringMillis() / 1000.0)))
        .compose(inserted -> {
          if (inserted.size() == 0) {
            return Future.succeededFuture(false);
          }
          OffsetDateTime created = inserted.iterator().next().getOffsetDateTime(0);
          List<Tuple> parties = new ArrayList<>();
          parties.add(Tuple.of(call.id(), call.caller(), Call.CALLER, created, "joined"));
          call.callees().forEach(callee -> parties.add(Tuple.of(call.id(), callee, Call.CALLEE, created, "invited")));
          return conn.preparedQuery("""
              INSERT INTO call_participants (call_id, aura_id, role, created_at, state, joined_at)
              VALUES ($1, $2, $3, $4::timestamptz, $5::text, CASE WHEN $5::text = 'joined' THEN $4::timestamptz END)""")
            .executeBatch(parties)
            .compose(v -> conn.preparedQuery("INSERT INTO call_devices (call_id, aura_id, device_id) VALUES ($1, $2, $3)")
              .execute(Tuple.of(call.id(), call.caller(), call.callerDevice())))
            .map(true);
        }))
      .compose(inserted -> inserted ? find(call.id()) : Future.succeededFuture(Optional.empty()));
  }

  /** The call an entry point's external id started. */
  Future<Optional<Call>> findExternal(String entryPoint, String externalId) {
    return pool.preparedQuery(CALL + " WHERE c.entry_point = $1 AND c.external_id = $2")
      .execute(Tuple.of(entryPoint, externalId))
      .map(rows -> first(rows));
  }

  Future<Optional<Call>> find(UUID id) {
    return pool.preparedQuery(CALL + " WHERE c.call_id = $1").execute(Tuple.of(id)).map(CallStore::first);
  }

  private Future<List<Call>> findAll(List<UUID> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return pool.preparedQuery(CALL + " WHERE c.call_id = ANY($1)").execute(Tuple.of(ids.toArray(UUID[]::new)))
      .map(rows -> {
        List<Call> calls = new ArrayList<>();
        rows.forEach(row -> calls.add(Call.from(row)));
        calls.sort(Comparator.comparingInt(c -> ids.indexOf(c.id())));
        return calls;
      });
  }

  /** Notes that LiveKit created the call's room (so that its end deletes it). */
  Future<Void> roomCreated(UUID id) {
    return pool.preparedQuery("UPDATE calls SET room_created = true WHERE call_id = $1").execute(Tuple.of(id))
      .mapEmpty();
  }

  /**
   * What one participant's act did: the call's state before and after, the participant's (empty {@code before} for a
   * participant added by this act), its version after (the event id's part), the devices that left (LiveKit
   * identities to remove), or a conflict: {@code conflict} names the state that refused ({@code call} or
   * {@code participant}), and {@code expired} says a ringing call's deadline had passed.
   */
  record Change(CallStates.State callBefore, CallStates.State callAfter, Optional<ParticipantStates.State> before,
                ParticipantStates.State after, int version, List<String> devicesLeft, String conflict,
                boolean expired) {

    static Change refused(CallStates.State call, ParticipantStates.State participant, String conflict,
                          boolean expired) {
      return new Change(call, call, Optional.ofNullable(participant), participant, 0, List.of(), conflict, expired);
    }

    boolean applied() {
      return conflict == null;
    }

    boolean participantChanged() {
      return applied() && before.map(b -> b != after).orElse(true);
    }
  }

  /** One participant's act as the store applies it: who, what, from which device, and a new one's role. */
  record Act(UUID callId, String auraId, ParticipantStates.Act act, String device, String newRole, String by,
             String reason) {
  }

  /**
   * Applies one participant's act under the call's row lock, so that a call's participants change one at a time and
   * the call's own transition is decided on what the others committed: the first callee joining a ringing call
   * answers it (exactly one wins), the last callee declining a ringing call declines it, the last joined participant
   * leaving an answered call completes it, and the caller leaving a ringing call cancels it. A joined participant
   * joining again adds a device; leaving with a device leaves with that device only, and the participant leaves with
   * its last one. {@code newRole} adds a participant who was not part of the call (null: only parties act).
   */
  Future<Change> change(Act act) {
    return pool.withTransaction(conn -> conn.preparedQuery(
          "SELECT state, ring_deadline <= now() AS expired FROM calls WHERE call_id = $1 FOR UPDATE")
        .execute(Tuple.of(act.callId()))
        .compose(calls -> {
          Row call = calls.iterator().next();
          CallStates.State callState = CallStates.State.parse(call.getString("state")).orElseThrow();
          boolean expired = callState == CallStates.State.RINGING && call.getBoolean("expired");
          if (!callState.live() || expired) {
            return Future.succeededFuture(Change.refused(callState, null, "call", expired));
          }
          return conn.preparedQuery("SELECT state, role FROM call_participants WHERE call_id = $1 AND aura_id = $2")
            .execute(Tuple.of(act.callId(), act.auraId()))
            .compose(rows -> {
              Row party = rows.size() == 0 ? null : rows.iterator().next();
              ParticipantStates.State before = party == null ? null
                : ParticipantStates.State.parse(party.getString("state")).orElseThrow();
              String role = party == null ? act.newRole() : party.getString("role");
              return applyAct(conn, act, callState, before, role);
            });
        }));
  }

  private Future<Change> applyAct(SqlConnection conn, Act act, CallStates.State callState,
                                  ParticipantStates.State before, String role) {
    boolean joining = act.act().target() == ParticipantStates.State.JOINED;
    if (before == null && (role == null || !joining)) {
      return Future.succeededFuture(Change.refused(callState, null, "participant", false));
    }
    if (before == ParticipantStates.State.JOINED && act.act() == ParticipantStates.Act.JOIN) {
      // Another device of a joined participant: nothing changes but the device.
      return joinDevice(conn, act).map(v -> new Change(callState, callState, Optional.of(before), before, 0,
        List.of(), null, false));
    }
    if (before != null && !ParticipantStates.allowed(before, act.act())) {
      return Future.succeededFuture(Change.refused(callState, before, "participant", false));
    }
    if (act.act() == ParticipantStates.Act.LEAVE) {
      return leave(conn, act, callState, role);
    }
    Future<Integer> version = before == null
      ? conn.preparedQuery("""
          INSERT INTO call_participants (call_id, aura_id, role, created_at, state, joined_at, version)
          SELECT call_id, $2, $3, created_at, 'joined', now(), 1 FROM calls WHERE call_id = $1
          RETURNING version""").execute(Tuple.of(act.callId(), act.auraId(), role)).map(CallStore::version)
      : setParticipant(conn, act.callId(), act.auraId(), act.act().target());
    return version.compose(v -> (joining ? joinDevice(conn, act) : Future.<Void>succeededFuture())
      .compose(d -> callAfter(conn, act, callState, role))
      .map(after -> new Change(callState, after, Optional.ofNullable(before), act.act().target(), v, List.of(), null,
        false)));
  }

  private Future<Change> leave(SqlConnection conn, Act act, CallStates.State callState, String role) {
    return conn.preparedQuery("""
          UPDATE call_devices SET left_at = now()
          WHERE call_id = $1 AND aura_id = $2 AND ($3::text IS NULL OR device_id = $3) AND left_at IS NULL
          RETURNING device_id""")
      .execute(Tuple.of(act.callId(), act.auraId(), act.device()))
      .compose(left -> {
        List<String> devices = new ArrayList<>();
        left.forEach(row -> devices.add(row.getString(0)));
        if (act.device() != null && devices.isEmpty()) {
          return Future.succeededFuture(Change.refused(callState, ParticipantStates.State.JOINED, "device", false));
        }
        return conn.preparedQuery("""
              SELECT count(*) FROM call_devices WHERE call_id = $1 AND aura_id = $2 AND left_at IS NULL""")
          .execute(Tuple.of(act.callId(), act.auraId()))
          .compose(remaining -> remaining.iterator().next().getLong(0) > 0
            ? Future.succeededFuture(new Change(callState, callState, Optional.of(ParticipantStates.State.JOINED),
              ParticipantStates.State.JOINED, 0, devices, null, false))
            : setParticipant(conn, act.callId(), act.auraId(), ParticipantStates.State.LEFT)
              .compose(v -> callAfter(conn, act, callState, role)
                .map(after -> new Change(callState, after, Optional.of(ParticipantStates.State.JOINED),
                  ParticipantStates.State.LEFT, v, devices, null, false))));
      });
  }

  /** The call's transition that this participant's change brings, applied; answers the call's state after it. */
  private Future<CallStates.State> callAfter(SqlConnection conn, Act act, CallStates.State callState, String role) {
    ParticipantStates.State now = act.act().target();
    if (callState == CallStates.State.RINGING && now == ParticipantStates.State.JOINED && !Call.CALLER.equals(role)) {
      return conn.preparedQuery("""
            UPDATE calls SET state = 'answered', answered_at = now(), answered_by = $2, answered_device = $3
            WHERE call_id = $1""")
        .execute(Tuple.of(act.callId(), act.auraId(), act.device())).map(CallStates.State.ANSWERED);
    }
    if (callState == CallStates.State.RINGING && now == ParticipantStates.State.DECLINED) {
      return conn.preparedQuery("""
            SELECT count(*) FROM call_participants WHERE call_id = $1 AND role = 'callee' AND state <> 'declined'""")
        .execute(Tuple.of(act.callId()))
        .compose(open -> open.iterator().next().getLong(0) > 0 ? Future.succeededFuture(callState)
          : endLocked(conn, act, CallStates.State.DECLINED));
    }
    if (now == ParticipantStates.State.LEFT) {
      if (callState == CallStates.State.RINGING && Call.CALLER.equals(role)) {
        return endLocked(conn, act, CallStates.State.CANCELLED);
      }
      return conn.preparedQuery("SELECT count(*) FROM call_participants WHERE call_id = $1 AND state = 'joined'")
        .execute(Tuple.of(act.callId()))
        .compose(joined -> callState != CallStates.State.ANSWERED || joined.iterator().next().getLong(0) > 0
          ? Future.succeededFuture(callState) : endLocked(conn, act, CallStates.State.COMPLETED));
    }
    return Future.succeededFuture(callState);
  }

  private Future<CallStates.State> endLocked(SqlConnection conn, Act act, CallStates.State to) {
    return conn.preparedQuery("""
          UPDATE calls SET state = $2, ended_at = now(), ended_by = $3, end_reason = $4 WHERE call_id = $1""")
      .execute(Tuple.of(act.callId(), to.id(), act.by(), act.reason()))
      .compose(v -> conn.preparedQuery(CLOSE_PARTIES).execute(Tuple.of(new UUID[] {act.callId()})))
      .map(to);
  }

  private static Future<Integer> setParticipant(SqlConnection conn, UUID callId, String auraId,
                                                ParticipantStates.State to) {
    return conn.preparedQuery("""
          UPDATE call_participants SET state = $3, version = version + 1,
            joined_at = CASE WHEN $3::text = 'joined' THEN now() ELSE joined_at END,
            left_at = CASE WHEN $3::text = 'left' THEN now() ELSE left_at END
          WHERE call_id = $1 AND aura_id = $2
          RETURNING version""")
      .execute(Tuple.of(callId, auraId, to.id())).map(CallStore::version);
  }

  private static Future<Void> joinDevice(SqlConnection conn, Act act) {
    return conn.preparedQuery("""
          INSERT INTO call_devices (call_id, aura_id, device_id) VALUES ($1, $2, $3)
          ON CONFLICT (call_id, aura_id, device_id) DO UPDATE SET left_at = NULL""")
      .execute(Tuple.of(act.callId(), act.auraId(), act.device())).mapEmpty();
  }

  private static int version(RowSet<Row> rows) {
    return rows.iterator().next().getInteger(0);
  }

  /**
   * When calls end, whoever was still in them leaves with all their devices: {@code $1} the ended calls' ids. A call
   * ends by one statement, so this follows in the same transaction.
   */
  private static final String CLOSE_PARTIES = """
      WITH parties AS (
        UPDATE call_participants SET state = 'left', left_at = now(), version = version + 1
        WHERE call_id = ANY($1) AND state = 'joined')
      UPDATE call_devices SET left_at = now() WHERE call_id = ANY($1) AND left_at IS NULL""";

  /**
   * Ends a call in one of {@code from} with {@code to}; answers the state it left, or empty when it was in none of
   * them (another change came first).
   */
  Future<Optional<CallStates.State>> end(UUID id, CallStates.State to, Set<CallStates.State> from, String by,
                                         String reason, JsonObject quality) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          UPDATE calls c SET state = $2, ended_at = now(), ended_by = $3, end_reason = $4, quality = $5
          FROM (SELECT call_id, state FROM calls WHERE call_id = $1 FOR UPDATE) old
          WHERE c.call_id = old.call_id AND old.state = ANY($6)
          RETURNING old.state""")
        .execute(Tuple.from(Arrays.asList(id, to.id(), by, reason, quality,
          from.stream().map(CallStates.State::id).toArray(String[]::new))))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture(Optional.<CallStates.State>empty())
          : conn.preparedQuery(CLOSE_PARTIES).execute(Tuple.of(new UUID[] {id}))
            .map(CallStates.State.parse(rows.iterator().next().getString(0)))));
  }

  /** {@code ringing → missed} for this call if its deadline has passed; true if this member made the change. */
  Future<Boolean> expire(UUID id) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          UPDATE calls SET state = 'missed', ended_at = now(), ended_by = 'system', end_reason = 'ring_timeout'
          WHERE call_id = $1 AND state = 'ringing' AND ring_deadline <= now()""")
        .execute(Tuple.of(id))
        .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(false)
          : conn.preparedQuery(CLOSE_PARTIES).execute(Tuple.of(new UUID[] {id})).map(true)));
  }

  /**
   * {@code ringing → missed} for up to {@code limit} calls whose deadline passed, skipping those another member is
   * changing now; answers the calls this member ended.
   */
  Future<List<Call>> sweepExpired(int limit) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          WITH expired AS (
            SELECT call_id FROM calls WHERE state = 'ringing' AND ring_deadline <= now()
            ORDER BY ring_deadline LIMIT $1 FOR UPDATE SKIP LOCKED)
          UPDATE calls c SET state = 'missed', ended_at = now(), ended_by = 'system', end_reason = 'ring_timeout'
          FROM expired WHERE c.call_id = expired.call_id
          RETURNING c.call_id""")
        .execute(Tuple.of(limit))
        .compose(rows -> {
          List<UUID> ended = ids(rows);
          return ended.isEmpty() ? Future.succeededFuture(ended)
            : conn.preparedQuery(CLOSE_PARTIES).execute(Tuple.of(ended.toArray(UUID[]::new))).map(ended);
        }))
      .compose(this::findAll);
  }

  /** The call whose LiveKit room this is (room names are unique: {@code call_<call id>}). */
  Future<Optional<Call>> findByRoom(String room) {
    return pool.preparedQuery(CALL + " WHERE c.room = $1").execute(Tuple.of(room)).map(CallStore::first);
  }

  /**
   * Claims a LiveKit webhook event by its id: true if this is its first delivery, false if it was claimed before
   * (the primary key's unique violation, 23505, means "already done").
   */
  Future<Boolean> claimWebhookEvent(String eventId, String event, String room) {
    return pool.preparedQuery("INSERT INTO livekit_webhook_events (event_id, event, room) VALUES ($1, $2, $3)")
      .execute(Tuple.of(eventId, event, room))
      .map(true)
      .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
        ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /** Gives a claimed event back, so that LiveKit's retry applies it (its first application failed). */
  Future<Void> releaseWebhookEvent(String eventId) {
    return pool.preparedQuery("DELETE FROM livekit_webhook_events WHERE event_id = $1").execute(Tuple.of(eventId))
      .mapEmpty();
  }

  /** Forgets webhook events older than LiveKit's retries can be. */
  Future<Void> pruneWebhookEvents() {
    return pool.query("DELETE FROM livekit_webhook_events WHERE received_at < now() - interval '1 day'").execute()
      .mapEmpty();
  }

  /** The live (ringing or answered) calls an AuraID takes part in. */
  Future<List<UUID>> liveCallsOf(String auraId) {
    return pool.preparedQuery("""
        SELECT p.call_id FROM call_participants p JOIN calls c ON c.call_id = p.call_id
        WHERE p.aura_id = $1 AND c.state IN ('ringing', 'answered')""")
      .execute(Tuple.of(auraId)).map(CallStore::ids);
  }

  /** A page of an AuraID's calls, newest first, strictly before the cursor if there is one. */
  Future<List<Call>> history(String auraId, String state, OffsetDateTime beforeCreated, UUID beforeId, int limit) {
    return pool.preparedQuery("""
        SELECT p.call_id FROM call_participants p JOIN calls c ON c.call_id = p.call_id
        WHERE p.aura_id = $1 AND ($2::text IS NULL OR c.state = $2)
          AND ($3::timestamptz IS NULL OR (p.created_at, p.call_id) < ($3, $4))
        ORDER BY p.created_at DESC, p.call_id DESC
        LIMIT $5""")
      .execute(Tuple.from(Arrays.asList(auraId, state, beforeCreated, beforeId, limit)))
      .compose(rows -> findAll(ids(rows)));
  }

  private static UUID routeId(JsonObject route) {
    String id = route == null ? null : route.getString("route_id");
    return id == null ? null : UUID.fromString(id);
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> ids = new ArrayList<>();
    rows.forEach(row -> ids.add(row.getUUID(0)));
    return ids;
  }

  private static Optional<Call> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Call.from(rows.iterator().next()));
  }
}
