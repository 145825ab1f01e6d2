package io.auralink.comm.presence.impl;

import io.auralink.comm.presence.PresenceError;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where presence lives. Redis keys, all per AuraID, declared here only:
 * <ul>
 *   <li>{@code presence:devices:{aura_id}} (hash, TTL the device TTL, refreshed by every update): device id →
 *       {@link Presences.Device#encode the device}; a device past its {@code expires_at} is ignored by readers and
 *       removed by the next write, so each device expires on its own inside one key;</li>
 *   <li>{@code presence:last_seen:{aura_id}} (string, epoch milliseconds of the last update, TTL
 *       {@code AURALINK_PRESENCE_LAST_SEEN_TTL}): outlives the devices;</li>
 *   <li>{@code presence:event_gate:{aura_id}} (string, TTL the event interval): set if absent by the member that
 *       publishes a change, so that the cluster publishes at most one event per person per interval.</li>
 * </ul>
 * The visibility choice ({@code everyone} or {@code contacts}) is durable, in PostgreSQL's
 * {@code presence_visibility}. A Redis failure is {@code PRESENCE_UNAVAILABLE}.
 */
final class PresenceStore {

  private static final String DEVICES = "presence:devices:";
  private static final String LAST_SEEN = "presence:last_seen:";
  private static final String EVENT_GATE = "presence:event_gate:";

  /**
   * One device's write, atomic: set (or, for offline, remove) it, drop devices past their expiry, refresh the key's
   * TTL while a device is left, record the update time, and answer the devices left and the last update.
   * KEYS: devices, last_seen; ARGV: device id, device value or '' for offline, now, device TTL, last-seen TTL (ms).
   */
  private static final String WRITE_DEVICE = """
    if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
    local now = tonumber(ARGV[3])
    local all = redis.call('HGETALL', KEYS[1])
    for i = 1, #all, 2 do
      local expires = tonumber(string.match(all[i + 1], '"expires_at":(%d+)'))
      if expires == nil or expires <= now then redis.call('HDEL', KEYS[1], all[i]) end
    end
    if redis.call('HLEN', KEYS[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
    redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[5])
    return redis.call('HGETALL', KEYS[1])""";

  /** A person's devices as stored and the time of their last update (null when forgotten or never). */
  record Stored(Map<String, String> devices, Long lastSeen) {
  }

  private final Redis redis;
  private final Pool pool;
  private final long deviceTtlMillis;
  private final long lastSeenTtlMillis;
  private final long eventIntervalMillis;

  PresenceStore(Redis redis, Pool pool, Duration deviceTtl, Duration lastSeenTtl, Duration eventInterval) {
    this.redis = redis;
    this.pool = pool;
    this.deviceTtlMillis = deviceTtl.toMillis();
    this.lastSeenTtlMillis = lastSeenTtl.toMillis();
    this.eventIntervalMillis = eventInterval.toMillis();
  }

  long deviceTtlMillis() {
    return deviceTtlMillis;
  }

  /** Writes one device ({@code value} null for offline) at {@code now}; answers the person's devices after it. */
  Future<Stored> write(String auraId, String deviceId, String value, long now) {
    Request script = Request.cmd(Command.EVAL).arg(WRITE_DEVICE).arg(2).arg(DEVICES + auraId).arg(LAST_SEEN + auraId)
      .arg(deviceId).arg(value == null ? "" : value).arg(now).arg(deviceTtlMillis).arg(lastSeenTtlMillis);
    return redis.send(script).transform(done -> done.succeeded()
      ? Future.succeededFuture(new Stored(pairs(done.result()), now))
      : unavailable(done.cause()));
  }

  /** The stored presence of every AuraID, in one pipelined round trip. */
  Future<Map<String, Stored>> read(List<String> auraIds) {
    List<Request> batch = new ArrayList<>(2 * auraIds.size());
    for (String auraId : auraIds) {
      batch.add(Request.cmd(Command.HGETALL).arg(DEVICES + auraId));
      batch.add(Request.cmd(Command.GET).arg(LAST_SEEN + auraId));
    }
    return redis.batch(batch).transform(done -> {
      if (done.failed()) {
        return unavailable(done.cause());
      }
      List<Response> responses = done.result();
      Map<String, Stored> stored = new LinkedHashMap<>();
      for (int i = 0; i < auraIds.size(); i++) {
        Response lastSeen = responses.get(2 * i + 1);
        stored.put(auraIds.get(i), new Stored(pairs(responses.get(2 * i)), lastSeen == null ? null : lastSeen.toLong()));
      }
      return Future.succeededFuture(stored);
    });
  }

  /**
   * Claims the right to publish a change about {@code auraId} now: answers 0 when claimed, otherwise how many
   * milliseconds remain until the next claim may succeed.
   */
  Future<Long> claimEvent(String auraId) {
    String key = EVENT_GATE + auraId;
    return redis.batch(List.of(
        Request.cmd(Command.SET).arg(key).arg("1").arg("PX").arg(eventIntervalMillis).arg("NX"),
        Request.cmd(Command.PTTL).arg(key)))
      .map(answers -> answers.get(0) != null ? 0L : Math.max(1L, answers.get(1) == null ? 1L : answers.get(1).toLong()));
  }

  /** Of these AuraIDs, those who show their presence to contacts only. */
  Future<Set<String>> contactsOnly(List<String> auraIds) {
    return pool.preparedQuery("SELECT aura_id FROM presence_visibility WHERE aura_id = ANY($1) AND visible_to = 'contacts'")
      .execute(Tuple.of(auraIds.toArray(new String[0])))
      .map(rows -> {
        Set<String> found = new HashSet<>();
        for (Row row : rows) {
          found.add(row.getString("aura_id"));
        }
        return found;
      });
  }

  Future<String> visibility(String auraId) {
    return pool.preparedQuery("SELECT visible_to FROM presence_visibility WHERE aura_id = $1").execute(Tuple.of(auraId))
      .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString("visible_to") : "everyone");
  }

  Future<Void> setVisibility(String auraId, String visibleTo) {
    return pool.preparedQuery("""
        INSERT INTO presence_visibility (aura_id, visible_to) VALUES ($1, $2)
        ON CONFLICT (aura_id) DO UPDATE SET visible_to = EXCLUDED.visible_to, updated_at = now()""")
      .execute(Tuple.of(auraId, visibleTo)).mapEmpty();
  }

  /** A hash as Redis answers it: a map (RESP3) or a flat list of field, value (RESP2 and scripts). */
  private static Map<String, String> pairs(Response hash) {
    Map<String, String> pairs = new HashMap<>();
    if (hash == null) {
      return pairs;
    }
    if (hash.isMap()) {
      for (String key : hash.getKeys()) {
        pairs.put(key, hash.get(key).toString());
      }
      return pairs;
    }
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      pairs.put(hash.get(i).toString(), hash.get(i + 1).toString());
    }
    return pairs;
  }

  private static <T> Future<T> unavailable(Throwable cause) {
    return PresenceError.PRESENCE_UNAVAILABLE.fail("presence is unavailable: Redis did not answer; retry shortly ("
      + cause.getMessage() + ")");
  }
}
