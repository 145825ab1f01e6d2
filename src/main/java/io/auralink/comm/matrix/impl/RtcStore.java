package io.auralink.comm.matrix.impl;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of MatrixRTC: AuraIDs' memberships in room call slots ({@code matrix_rtc_members}) and each slot's live
 * call ({@code matrix_calls} of kind {@code rtc}). See {@code schema/V017__matrix_rtc.sql}.
 */
final class RtcStore {

  /** A stored membership: one AuraID's device in a room's slot, until {@code expires}, and the call it joined. */
  record Member(String roomId, String key, String slotId, String userId, String deviceId, String auraId,
                String eventId, UUID callId) {
  }

  private final Pool pool;

  RtcStore(Pool pool) {
    this.pool = pool;
  }

  /** Keeps the newest membership of a state key (the intake applies a room's events in order). */
  Future<Void> upsert(Member member, long expiresAtMillis) {
    return pool.preparedQuery("""
        INSERT INTO matrix_rtc_members (room_id, state_key, slot_id, user_id, device_id, aura_id, event_id, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8 / 1000.0))
        ON CONFLICT (room_id, state_key) DO UPDATE SET slot_id = $3, user_id = $4, device_id = $5, aura_id = $6,
          event_id = $7, expires_at = to_timestamp($8 / 1000.0)""")
      .execute(Tuple.of(member.roomId(), member.key(), member.slotId(), member.userId(), member.deviceId(),
        member.auraId(), member.eventId(), expiresAtMillis))
      .mapEmpty();
  }

  Future<Void> joinedCall(String roomId, String key, UUID callId) {
    return pool.preparedQuery("UPDATE matrix_rtc_members SET call_id = $3 WHERE room_id = $1 AND state_key = $2")
      .execute(Tuple.of(roomId, key, callId)).mapEmpty();
  }

  Future<Optional<Member>> find(String roomId, String key) {
    return pool.preparedQuery("SELECT * FROM matrix_rtc_members WHERE room_id = $1 AND state_key = $2")
      .execute(Tuple.of(roomId, key)).map(rows -> members(rows).stream().findFirst());
  }

  /** Forgets a membership, if it is still the one {@code eventId} stated (a newer event keeps it). */
  Future<Void> forget(String roomId, String key, String eventId) {
    return pool.preparedQuery("""
        DELETE FROM matrix_rtc_members WHERE room_id = $1 AND state_key = $2 AND event_id = $3""")
      .execute(Tuple.of(roomId, key, eventId)).mapEmpty();
  }

  /** The other memberships of a slot still held on the server clock. */
  Future<List<Member>> activeIn(String roomId, String slotId) {
    return pool.preparedQuery("""
        SELECT * FROM matrix_rtc_members WHERE room_id = $1 AND slot_id = $2 AND expires_at > now()
        ORDER BY expires_at, state_key""")
      .execute(Tuple.of(roomId, slotId)).map(RtcStore::members);
  }

  /** Up to {@code limit} memberships whose expiry passed on the server clock. */
  Future<List<Member>> expired(int limit) {
    return pool.preparedQuery("SELECT * FROM matrix_rtc_members WHERE expires_at <= now() ORDER BY expires_at LIMIT $1")
      .execute(Tuple.of(limit)).map(RtcStore::members);
  }

  /** The slot's call the bridge started and has not seen end. */
  Future<Optional<UUID>> liveCall(String roomId, String slotId) {
    return pool.preparedQuery("""
        SELECT call_id FROM matrix_calls WHERE kind = 'rtc' AND room_id = $1 AND rtc_slot = $2 AND ended_at IS NULL
        ORDER BY created_at DESC LIMIT 1""")
      .execute(Tuple.of(roomId, slotId))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID(0)));
  }

  /** Remembers a slot's call ({@code startedBy}: the membership event that started it, unique per room). */
  Future<Void> rememberCall(UUID callId, String roomId, String slotId, String startedBy, String userId) {
    return pool.preparedQuery("""
        INSERT INTO matrix_calls (call_id, kind, room_id, matrix_call_id, caller_user_id, callee_user_id, version,
          rtc_slot)
        VALUES ($1, 'rtc', $2, $3, $4, '', 'rtc', $5) ON CONFLICT DO NOTHING""")
      .execute(Tuple.of(callId, roomId, startedBy, userId, slotId)).mapEmpty();
  }

  /** Records that a slot's call ended (the call domain refused a join: it ended before its event reached us). */
  Future<Void> callEnded(UUID callId) {
    return pool.preparedQuery("UPDATE matrix_calls SET ended_at = now() WHERE call_id = $1 AND ended_at IS NULL")
      .execute(Tuple.of(callId)).mapEmpty();
  }

  private static List<Member> members(RowSet<Row> rows) {
    List<Member> members = new ArrayList<>();
    for (Row row : rows) {
      members.add(new Member(row.getString("room_id"), row.getString("state_key"), row.getString("slot_id"),
        row.getString("user_id"), row.getString("device_id"), row.getString("aura_id"), row.getString("event_id"),
        row.getUUID("call_id")));
    }
    return members;
  }
}
