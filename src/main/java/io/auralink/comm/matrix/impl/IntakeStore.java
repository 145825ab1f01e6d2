package io.auralink.comm.matrix.impl;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of the bridge: the durable intake queue ({@code matrix_transactions}, {@code matrix_events}) and the Matrix
 * calls it started ({@code matrix_calls}). See {@code schema/V010__matrix_intake.sql} for the rules the tables keep.
 */
public final class IntakeStore {

  /** The event types the bridge acts on; any other event is acknowledged and not stored. */
  static final List<String> HANDLED_TYPES = List.of("m.room.member", "m.call.invite", "m.call.answer",
    "m.call.select_answer", "m.call.reject", "m.call.hangup", "m.call.negotiate", "m.call.candidates",
    RtcMembership.LEGACY_TYPE, RtcMembership.RTC_TYPE, RtcMembership.UNSTABLE_RTC_TYPE);

  /**
   * One statement: count the delivery of the transaction and append its handled events that were never seen, in the
   * order the homeserver sent them. Answers how many events were new.
   */
  private static final String ACCEPT = """
    WITH txn AS (
      INSERT INTO matrix_transactions (txn_id, event_count) VALUES ($1, $3)
      ON CONFLICT (txn_id) DO UPDATE SET deliveries = matrix_transactions.deliveries + 1, last_received_at = now()
      RETURNING txn_id
    ), added AS (
      INSERT INTO matrix_events (event_id, room_id, type, txn_id, event)
      SELECT e->>'event_id', e->>'room_id', e->>'type', (SELECT txn_id FROM txn), e
      FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, position)
      WHERE jsonb_typeof(e->'event_id') = 'string' AND jsonb_typeof(e->'room_id') = 'string'
        AND e->>'type' = ANY($4)
      ORDER BY position
      ON CONFLICT (event_id) DO NOTHING
      RETURNING 1
    )
    SELECT count(*) AS added FROM added""";

  /**
   * Claims the due head event of up to $1 rooms: the lowest open seq of a room, pending and due or processing with an
   * expired lease. The state is checked again on the locked row, so two members never claim the same event.
   */
  private static final String CLAIM = """
    WITH heads AS (
      SELECT DISTINCT ON (room_id) seq FROM matrix_events
      WHERE state IN ('pending', 'processing') ORDER BY room_id, seq
    ), due AS (
      SELECT e.seq FROM matrix_events e JOIN heads USING (seq)
      WHERE e.state IN ('pending', 'processing') AND e.due_at <= now()
      ORDER BY e.seq LIMIT $1
      FOR UPDATE OF e SKIP LOCKED
    )
    UPDATE matrix_events e SET state = 'processing', due_at = now() + make_interval(secs => $2),
      attempts = e.attempts + 1, claimed_by = $3
    FROM due WHERE e.seq = due.seq AND e.state IN ('pending', 'processing') AND e.due_at <= now()
    RETURNING e.seq, e.event_id, e.room_id, e.type, e.event, e.attempts,
      (extract(epoch FROM now()) * 1000)::bigint AS now_ms""";

  private final Pool pool;

  public IntakeStore(Pool pool) {
    this.pool = pool;
  }

  /** An event claimed for processing, with the database's clock at the claim (for invite lifetimes). */
  record Claimed(long seq, String eventId, String roomId, String type, JsonObject event, int attempts, long nowMillis) {
  }

  /** Stores a transaction's events (those of {@link #HANDLED_TYPES}); answers how many were new. */
  Future<Integer> accept(String txnId, JsonArray events) {
    return pool.preparedQuery(ACCEPT)
      .execute(Tuple.of(txnId, events, events.size(), HANDLED_TYPES.toArray(String[]::new)))
      .map(rows -> rows.iterator().next().getLong("added").intValue());
  }

  Future<List<Claimed>> claim(int limit, long leaseSeconds, String member) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(limit, leaseSeconds, member)).map(rows -> {
      List<Claimed> claimed = new ArrayList<>();
      for (Row row : rows) {
        Object event = row.getValue("event");
        claimed.add(new Claimed(row.getLong("seq"), row.getString("event_id"), row.getString("room_id"),
          row.getString("type"), event instanceof JsonObject json ? json : new JsonObject(String.valueOf(event)),
          row.getInteger("attempts"), row.getLong("now_ms")));
      }
      claimed.sort((a, b) -> Long.compare(a.seq(), b.seq()));
      return claimed;
    });
  }

  /** The event is applied (or deliberately ignored): {@code outcome} says which. Only the claimant's claim counts. */
  Future<Void> done(long seq, String member, String outcome) {
    return pool.preparedQuery("""
        UPDATE matrix_events SET state = 'done', processed_at = now(), outcome = $3
        WHERE seq = $1 AND state = 'processing' AND claimed_by = $2""")
      .execute(Tuple.of(seq, member, outcome)).mapEmpty();
  }

  /** A transient failure: the event stays at its room's head and is retried after {@code retrySeconds}. */
  Future<Void> retry(long seq, String member, double retrySeconds, String error) {
    return pool.preparedQuery("""
        UPDATE matrix_events SET state = 'pending', due_at = now() + make_interval(secs => $3), outcome = $4
        WHERE seq = $1 AND state = 'processing' AND claimed_by = $2""")
      .execute(Tuple.of(seq, member, retrySeconds, error)).mapEmpty();
  }

  /** Set aside after its last attempt, so that the room's later events proceed. */
  Future<Void> failed(long seq, String member, String error) {
    return pool.preparedQuery("""
        UPDATE matrix_events SET state = 'failed', processed_at = now(), outcome = $3
        WHERE seq = $1 AND state = 'processing' AND claimed_by = $2""")
      .execute(Tuple.of(seq, member, error)).mapEmpty();
  }

  /** Queue depth and the age of its oldest open event in milliseconds (0 when empty). */
  Future<long[]> depth() {
    return pool.query("""
        SELECT count(*) AS depth,
          coalesce((extract(epoch FROM now() - min(received_at)) * 1000)::bigint, 0) AS oldest_ms
        FROM matrix_events WHERE state IN ('pending', 'processing')""").execute()
      .map(rows -> {
        Row row = rows.iterator().next();
        return new long[] {row.getLong("depth"), row.getLong("oldest_ms")};
      });
  }

  /** Forgets processed events and transactions older than the retention (replays within it stay harmless). */
  Future<Integer> purge(long retentionSeconds) {
    return pool.preparedQuery("""
        WITH gone AS (
          DELETE FROM matrix_events WHERE state IN ('done', 'failed')
            AND processed_at < now() - make_interval(secs => $1) RETURNING 1
        ), txns AS (
          DELETE FROM matrix_transactions WHERE last_received_at < now() - make_interval(secs => $1) RETURNING 1
        )
        SELECT (SELECT count(*) FROM gone) AS purged""")
      .execute(Tuple.of(retentionSeconds)).map(rows -> rows.iterator().next().getLong("purged").intValue());
  }

  /** A Matrix call the bridge relays, as {@code matrix_calls} keeps it. */
  record MatrixCall(UUID callId, String kind, String roomId, String matrixCallId, String callerUserId,
                    String calleeUserId, String version) {
  }

  Future<Void> rememberCall(MatrixCall call) {
    return pool.preparedQuery("""
        INSERT INTO matrix_calls (call_id, kind, room_id, matrix_call_id, caller_user_id, callee_user_id, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""")
      .execute(Tuple.of(call.callId(), call.kind(), call.roomId(), call.matrixCallId(), call.callerUserId(),
        call.calleeUserId(), call.version()))
      .mapEmpty();
  }

  Future<Optional<MatrixCall>> findCall(String roomId, String matrixCallId) {
    return pool.preparedQuery("SELECT * FROM matrix_calls WHERE room_id = $1 AND matrix_call_id = $2")
      .execute(Tuple.of(roomId, matrixCallId)).map(rows -> rows.size() == 0 ? Optional.empty()
        : Optional.of(matrixCall(rows.iterator().next())));
  }

  /** Marks the hang-up of a call as sent into Matrix; answers the call only to the one member that marked it. */
  Future<Optional<MatrixCall>> claimHangup(UUID callId) {
    return pool.preparedQuery("""
        UPDATE matrix_calls SET hangup_sent_at = now() WHERE call_id = $1 AND hangup_sent_at IS NULL RETURNING *""")
      .execute(Tuple.of(callId)).map(rows -> rows.size() == 0 ? Optional.empty()
        : Optional.of(matrixCall(rows.iterator().next())));
  }

  /** Records that the call domain ended a call the bridge relays (from its state events; repeated ends are no-ops). */
  Future<Void> ended(UUID callId) {
    return pool.preparedQuery("UPDATE matrix_calls SET ended_at = now() WHERE call_id = $1 AND ended_at IS NULL")
      .execute(Tuple.of(callId)).mapEmpty();
  }

  /** Whether Matrix calls are live: relayed calls started in the last day that the call domain has not ended. */
  Future<Boolean> liveCalls() {
    return pool.query("""
        SELECT EXISTS (SELECT 1 FROM matrix_calls WHERE ended_at IS NULL
                       AND created_at > now() - interval '1 day') AS live""").execute()
      .map(rows -> rows.iterator().next().getBoolean("live"));
  }

  private static MatrixCall matrixCall(Row row) {
    return new MatrixCall(row.getUUID("call_id"), row.getString("kind"), row.getString("room_id"),
      row.getString("matrix_call_id"), row.getString("caller_user_id"), row.getString("callee_user_id"),
      row.getString("version"));
  }
}
