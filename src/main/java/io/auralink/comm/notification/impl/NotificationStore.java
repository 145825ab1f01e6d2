package io.auralink.comm.notification.impl;

import io.auralink.comm.platform.crypto.SealedColumn;
import io.auralink.comm.platform.crypto.Sealer;
import io.auralink.comm.platform.crypto.UnreadableValueException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The hub's SQL, all of it: apps and channels, preferences, the delivery queue and the calls that stopped ringing.
 * Signing secrets and pushkeys are sealed ({@link Sealer}, bound to their app or device); rows from before sealing
 * keep their plaintext until the re-encryption job ({@link #SEALED}) reaches them, and reads take either.
 */
final class NotificationStore {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationStore.class);
  static final String RING = "call.incoming";
  static final Sealer.Field SIGNING_SECRET = new Sealer.Field("notification_apps", "signing_secret");
  static final Sealer.Field PUSHKEY = new Sealer.Field("notification_channels", "pushkey");
  /** What the re-encryption job keeps sealed under the current key. */
  static final List<SealedColumn> SEALED = List.of(
    SealedColumn.sealed("notification_apps", "signing_secret", "aura_id", "app_id"),
    SealedColumn.sealed("notification_channels", "pushkey", "aura_id", "app_id", "device_id"));
  /** Opened secrets and pushkeys by row and sealed text ({@link Sealer#openingKey}), for repeat deliveries. */
  private static final int OPENED_CACHE = 1024;

  private final Pool pool;
  private final Sealer sealer;
  private final Map<String, String> opened = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > OPENED_CACHE;
    }
  };

  NotificationStore(Pool pool, Sealer sealer) {
    this.pool = pool;
    this.sealer = sealer;
  }

  /**
   * The plaintext of a sealed column or, for a row not sealed yet, its legacy plaintext. Opening costs microseconds,
   * but every delivery of a busy app needs its secret: the row and the sealed text are a safe cache key (a new value
   * or a re-encryption is a new text; the same text in another row must fail to open, so the row is part of the
   * key), and the cache is this instance's, on its one event loop.
   */
  private String open(Sealer.Field field, String sealed, String legacy, String... rowKey) {
    if (sealed == null) {
      return legacy;
    }
    String opening = Sealer.openingKey(field, sealed, rowKey);
    String value = opened.get(opening);
    if (value == null) {
      value = sealer.open(field, sealed, rowKey);
      opened.put(opening, value);
    }
    return value;
  }

  static boolean uniqueViolation(Throwable e) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  // ---- apps and channels ------------------------------------------------------------------------------------

  /**
   * Registers an app unless the person has {@code maxApps} already (false). A person's registrations are serialized
   * by a transaction-scoped advisory lock taken before counting, so concurrent ones cannot overrun the quota; an
   * app id the person has already goes on to fail as a duplicate.
   */
  Future<Boolean> insertApp(String auraId, String appId, String displayName, String secret, JsonArray devices,
                            int maxApps) {
    return pool.withTransaction(conn -> conn.preparedQuery(
          "SELECT pg_advisory_xact_lock(hashtextextended('notification_apps:' || $1, 0))")
        .execute(Tuple.of(auraId))
        .compose(locked -> conn.preparedQuery(
            "SELECT count(*) AS apps, bool_or(app_id = $2) AS known FROM notification_apps WHERE aura_id = $1")
          .execute(Tuple.of(auraId, appId)))
        .compose(counted -> {
          Row row = counted.iterator().next();
          if (!Boolean.TRUE.equals(row.getBoolean("known")) && row.getLong("apps") >= maxApps) {
            return Future.succeededFuture(false);
          }
          return conn.preparedQuery("""
              INSERT INTO notification_apps (aura_id, app_id, display_name, signing_secret_sealed)
              VALUES ($1, $2, $3, $4)""")
            .execute(Tuple.of(auraId, appId, displayName, sealer.seal(SIGNING_SECRET, secret, auraId, appId)))
            .compose(v -> insertChannels(conn, auraId, appId, devices)).map(true);
        }));
  }

  Future<Boolean> updateApp(String auraId, String appId, String displayName, JsonArray devices) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          UPDATE notification_apps SET display_name = coalesce($3, display_name), updated_at = now()
          WHERE aura_id = $1 AND app_id = $2""")
        .execute(Tuple.of(auraId, appId, displayName))
        .compose(updated -> {
          if (updated.rowCount() == 0) {
            return Future.succeededFuture(false);
          }
          if (devices == null) {
            return Future.succeededFuture(true);
          }
          return conn.preparedQuery("DELETE FROM notification_channels WHERE aura_id = $1 AND app_id = $2")
            .execute(Tuple.of(auraId, appId))
            .compose(v -> insertChannels(conn, auraId, appId, devices)).map(true);
        }));
  }

  private Future<Void> insertChannels(SqlClient conn, String auraId, String appId, JsonArray devices) {
    if (devices.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      JsonObject device = devices.getJsonObject(i);
      JsonObject channel = device.getJsonObject("channel");
      String deviceId = device.getString("device_id");
      rows.add(Tuple.of(auraId, appId, deviceId, channel.getString("type"), channel.getString("url"),
        sealer.seal(PUSHKEY, channel.getString("pushkey"), auraId, appId, deviceId)));
    }
    return conn.preparedQuery("""
        INSERT INTO notification_channels (aura_id, app_id, device_id, kind, url, pushkey_sealed)
        VALUES ($1, $2, $3, $4, $5, $6)""").executeBatch(rows).mapEmpty();
  }

  Future<Boolean> deleteApp(String auraId, String appId) {
    return pool.preparedQuery("DELETE FROM notification_apps WHERE aura_id = $1 AND app_id = $2")
      .execute(Tuple.of(auraId, appId)).map(rows -> rows.rowCount() > 0);
  }

  /** The person's apps with their devices, by app id. */
  Future<Map<String, JsonObject>> apps(String auraId) {
    return pool.preparedQuery("""
        SELECT a.app_id, a.display_name, a.created_at, c.device_id, c.kind, c.url, c.pushkey, c.pushkey_sealed
        FROM notification_apps a LEFT JOIN notification_channels c ON c.aura_id = a.aura_id AND c.app_id = a.app_id
        WHERE a.aura_id = $1 ORDER BY a.app_id, c.device_id""")
      .execute(Tuple.of(auraId))
      .map(rows -> {
        Map<String, JsonObject> apps = new LinkedHashMap<>();
        for (Row row : rows) {
          JsonObject app = apps.computeIfAbsent(row.getString("app_id"), id -> new JsonObject().put("app_id", id)
            .put("display_name", row.getString("display_name"))
            .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString())
            .put("devices", new JsonArray()));
          if (row.getString("device_id") != null) {
            JsonObject channel = new JsonObject().put("type", row.getString("kind")).put("url", row.getString("url"));
            String pushkey = open(PUSHKEY, row.getString("pushkey_sealed"), row.getString("pushkey"), auraId,
              row.getString("app_id"), row.getString("device_id"));
            if (pushkey != null) {
              channel.put("pushkey", pushkey);
            }
            app.getJsonArray("devices").add(new JsonObject().put("device_id", row.getString("device_id"))
              .put("channel", channel));
          }
        }
        return apps;
      });
  }

  Future<List<RingPolicy.Target>> devices(String auraId) {
    return pool.preparedQuery("SELECT app_id, device_id FROM notification_channels WHERE aura_id = $1 ORDER BY 1, 2")
      .execute(Tuple.of(auraId))
      .map(rows -> {
        List<RingPolicy.Target> targets = new ArrayList<>();
        rows.forEach(row -> targets.add(new RingPolicy.Target(row.getString("app_id"), row.getString("device_id"))));
        return targets;
      });
  }

  // ---- preferences ------------------------------------------------------------------------------------------

  static JsonObject defaultPreferences() {
    return new JsonObject().put("preferred_apps", new JsonArray()).put("ring", "all").put("dnd", new JsonArray())
      .put("time_zone", "UTC").put("contacts_only", false).put("ring_seconds", null);
  }

  Future<JsonObject> preferences(String auraId) {
    return pool.preparedQuery("SELECT * FROM notification_preferences WHERE aura_id = $1").execute(Tuple.of(auraId))
      .map(rows -> {
        if (!rows.iterator().hasNext()) {
          return defaultPreferences();
        }
        Row row = rows.iterator().next();
        return new JsonObject().put("preferred_apps", new JsonArray(List.of(row.getArrayOfStrings("preferred_apps"))))
          .put("ring", row.getString("ring")).put("dnd", (JsonArray) row.getValue("dnd"))
          .put("time_zone", row.getString("time_zone")).put("contacts_only", row.getBoolean("contacts_only"))
          .put("ring_seconds", row.getInteger("ring_seconds"));
      });
  }

  Future<Void> setPreferences(String auraId, JsonObject p) {
    return pool.preparedQuery("""
        INSERT INTO notification_preferences (aura_id, preferred_apps, ring, dnd, time_zone, contacts_only, ring_seconds)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (aura_id) DO UPDATE SET preferred_apps = EXCLUDED.preferred_apps, ring = EXCLUDED.ring,
          dnd = EXCLUDED.dnd, time_zone = EXCLUDED.time_zone, contacts_only = EXCLUDED.contacts_only,
          ring_seconds = EXCLUDED.ring_seconds, updated_at = now()""")
      .execute(Tuple.of(auraId, p.getJsonArray("preferred_apps").stream().map(String::valueOf).toArray(String[]::new),
        p.getString("ring"), p.getJsonArray("dnd"), p.getString("time_zone"), p.getBoolean("contacts_only"),
        p.getInteger("ring_seconds")))
      .mapEmpty();
  }

  // ---- the queue --------------------------------------------------------------------------------------------

  /**
   * Queues one notification per target, once per (event, device); a ring is not queued for a call that stopped
   * ringing. Answers how many were queued now.
   */
  Future<Integer> enqueue(String eventKey, String kind, String auraId, List<RingPolicy.Target> targets, String callId,
                          JsonObject payload, Instant expiresAt) {
    return insert(eventKey, kind, auraId, targets, callId, payload, expiresAt, null);
  }

  /**
   * Records a ring that was not sent ({@code reason}: do-not-disturb, contacts-only), one row per device it would
   * have reached, in state {@code suppressed}: never delivered, shown in the ring receipts and the notification list,
   * and reached by the call's missed-call notification. Answers how many were recorded now.
   */
  Future<Integer> suppress(String eventKey, String auraId, List<RingPolicy.Target> targets, String callId,
                           JsonObject payload, Instant expiresAt, String reason) {
    return insert(eventKey, RING, auraId, targets, callId, payload, expiresAt, reason);
  }

  private Future<Integer> insert(String eventKey, String kind, String auraId, List<RingPolicy.Target> targets,
                                 String callId, JsonObject payload, Instant expiresAt, String suppressedReason) {
    if (targets.isEmpty()) {
      return Future.succeededFuture(0);
    }
    List<String> ids = new ArrayList<>();
    List<String> apps = new ArrayList<>();
    List<String> devices = new ArrayList<>();
    for (RingPolicy.Target target : targets) {
      ids.add(UUID.randomUUID().toString());
      apps.add(target.appId());
      devices.add(target.deviceId());
    }
    return pool.preparedQuery("""
        INSERT INTO notifications (id, event_key, kind, aura_id, app_id, device_id, call_id, payload, expires_at,
          state, suppressed_reason)
        SELECT t.id::uuid, $1, $2, $3, t.app_id, t.device_id, $4, $5, $6,
          CASE WHEN $10::text IS NULL THEN 'pending' ELSE 'suppressed' END, $10
        FROM unnest($7::text[], $8::text[], $9::text[]) AS t(id, app_id, device_id)
        WHERE $2 <> 'call.incoming'
           OR NOT EXISTS (SELECT 1 FROM notification_calls_ended e WHERE e.call_id = $4)
        ON CONFLICT (event_key, aura_id, app_id, device_id) DO NOTHING""")
      .execute(Tuple.from(Arrays.asList(eventKey, kind, auraId, callId, payload, time(expiresAt),
        ids.toArray(new String[0]), apps.toArray(new String[0]), devices.toArray(new String[0]), suppressedReason)))
      .map(RowSet::rowCount);
  }

  /**
   * The call left {@code ringing}: it is recorded (no ring for it is queued or delivered from now on), its queued
   * rings are cancelled, and each device its ring reached or was reaching gets {@code kind} (all rung devices for
   * {@code call.missed}), except the one named (the device that answered). Answers how many were queued.
   */
  Future<Integer> callLeftRinging(String callId, String state, String eventKey, String kind, JsonObject payload,
                                  String exceptAuraId, String exceptDevice) {
    // A missed call reaches every device the ring was meant for, those it was suppressed on included.
    String reached = "call.missed".equals(kind) ? "" : " AND state IN ('delivered', 'delivering')";
    return pool.withTransaction(conn -> conn.preparedQuery(
          "INSERT INTO notification_calls_ended (call_id, state) VALUES ($1, $2) ON CONFLICT (call_id) DO NOTHING")
        .execute(Tuple.of(callId, state))
        .compose(v -> conn.preparedQuery("""
            UPDATE notifications SET state = 'cancelled', lease_until = NULL, last_error = 'the call stopped ringing'
            WHERE call_id = $1 AND kind = 'call.incoming' AND state = 'pending'""").execute(Tuple.of(callId)))
        .compose(v -> conn.preparedQuery("""
            INSERT INTO notifications (id, event_key, kind, aura_id, app_id, device_id, call_id, payload, expires_at)
            SELECT gen_random_uuid(), $2, $3, aura_id, app_id, device_id, call_id, $4, now() + interval '10 minutes'
            FROM notifications
            WHERE call_id = $1 AND kind = 'call.incoming'""" + reached + """
              AND NOT (aura_id IS NOT DISTINCT FROM $5 AND device_id IS NOT DISTINCT FROM $6)
            ON CONFLICT (event_key, aura_id, app_id, device_id) DO NOTHING""")
          .execute(Tuple.of(callId, eventKey, kind, payload, exceptAuraId, exceptDevice)))
        .map(RowSet::rowCount));
  }

  /**
   * One callee of a call that still rings for others stopped ringing (they declined): their pending rings are
   * cancelled and their devices the ring reached hear {@code kind}, once per event.
   */
  Future<Integer> calleeLeftRinging(String callId, String auraId, String eventKey, String kind, JsonObject payload) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
            UPDATE notifications SET state = 'cancelled', lease_until = NULL, last_error = 'the callee declined'
            WHERE call_id = $1 AND aura_id = $2 AND kind = 'call.incoming' AND state = 'pending'""")
        .execute(Tuple.of(callId, auraId))
        .compose(v -> conn.preparedQuery("""
            INSERT INTO notifications (id, event_key, kind, aura_id, app_id, device_id, call_id, payload, expires_at)
            SELECT gen_random_uuid(), $3, $4, aura_id, app_id, device_id, call_id, $5, now() + interval '10 minutes'
            FROM notifications
            WHERE call_id = $1 AND aura_id = $2 AND kind = 'call.incoming' AND state IN ('delivered', 'delivering')
            ON CONFLICT (event_key, aura_id, app_id, device_id) DO NOTHING""")
          .execute(Tuple.of(callId, auraId, eventKey, kind, payload)))
        .map(RowSet::rowCount));
  }

  /** When the hub queued the call's ring, if it did. */
  Future<Optional<Instant>> ringQueuedAt(String callId) {
    return pool.preparedQuery("""
        SELECT min(created_at) AS at FROM notifications
        WHERE call_id = $1 AND kind = 'call.incoming' AND state <> 'suppressed'""")
      .execute(Tuple.of(callId))
      .map(rows -> Optional.ofNullable(rows.iterator().next().getOffsetDateTime("at")).map(OffsetDateTime::toInstant));
  }

  /** One claimed delivery with what it takes to send it. */
  record Due(String id, String kind, String auraId, String appId, String deviceId, String callId, JsonObject payload,
             int attempts, Instant expiresAt, Instant createdAt, String channel, String url, String pushkey,
             String secret, boolean callEnded, boolean unreadable) {
  }

  /**
   * Takes up to {@code limit} due deliveries (pending and due, or delivering with a lapsed lease: their member died)
   * for {@code leaseMillis}, skipping rows another member holds.
   */
  Future<List<Due>> claim(int limit, long leaseMillis) {
    return pool.preparedQuery("""
        WITH due AS (
          SELECT id FROM notifications
          WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'delivering' AND lease_until < now())
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),
        claimed AS (
          UPDATE notifications n SET state = 'delivering', attempts = n.attempts + 1,
            lease_until = now() + $2 * interval '1 millisecond'
          FROM due WHERE n.id = due.id RETURNING n.*)
        SELECT c.id, c.kind, c.aura_id, c.app_id, c.device_id, c.call_id, c.payload, c.attempts, c.expires_at,
          c.created_at, ch.kind AS channel, ch.url, ch.pushkey, ch.pushkey_sealed,
          a.signing_secret, a.signing_secret_sealed,
          (c.kind = 'call.incoming' AND EXISTS (SELECT 1 FROM notification_calls_ended e WHERE e.call_id = c.call_id))
            AS call_ended
        FROM claimed c
        LEFT JOIN notification_channels ch ON ch.aura_id = c.aura_id AND ch.app_id = c.app_id AND ch.device_id = c.device_id
        LEFT JOIN notification_apps a ON a.aura_id = c.aura_id AND a.app_id = c.app_id""")
      .execute(Tuple.of(limit, leaseMillis))
      .map(rows -> {
        List<Due> due = new ArrayList<>();
        for (Row row : rows) {
          String auraId = row.getString("aura_id");
          String appId = row.getString("app_id");
          String deviceId = row.getString("device_id");
          String pushkey;
          String secret;
          boolean unreadable = false;
          try {
            pushkey = open(PUSHKEY, row.getString("pushkey_sealed"), row.getString("pushkey"), auraId, appId, deviceId);
            secret = open(SIGNING_SECRET, row.getString("signing_secret_sealed"), row.getString("signing_secret"),
              auraId, appId);
          } catch (UnreadableValueException e) {
            // Altered in the database (or its key dropped): never sent, never signed with something else.
            LOG.error("a sealed secret of the app {} of {} cannot be opened: {}", appId, auraId, e.getMessage());
            pushkey = null;
            secret = null;
            unreadable = true;
          }
          due.add(new Due(row.getUUID("id").toString(), row.getString("kind"), auraId, appId, deviceId,
            row.getString("call_id"), (JsonObject) row.getValue("payload"), row.getInteger("attempts"),
            instant(row, "expires_at"), instant(row, "created_at"), row.getString("channel"), row.getString("url"),
            pushkey, secret, Boolean.TRUE.equals(row.getBoolean("call_ended")), unreadable));
        }
        return due;
      });
  }

  /** Ends a delivery this member holds: {@code delivered}, {@code dead}, {@code expired} or {@code cancelled}. */
  Future<Void> finish(String id, String state, String error) {
    return pool.preparedQuery("""
        UPDATE notifications SET state = $2, last_error = $3, lease_until = NULL,
          delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END
        WHERE id = $1::uuid AND state = 'delivering'""")
      .execute(Tuple.of(id, state, error)).mapEmpty();
  }

  /** Puts a delivery back in the queue for {@code at}; {@code countAttempt} false gives back the attempt taken. */
  Future<Void> retry(String id, Instant at, String error, boolean countAttempt) {
    return pool.preparedQuery("""
        UPDATE notifications SET state = 'pending', next_attempt_at = $2, last_error = $3, lease_until = NULL,
          attempts = attempts - CASE WHEN $4 THEN 0 ELSE 1 END
        WHERE id = $1::uuid AND state = 'delivering'""")
      .execute(Tuple.of(id, time(at), error, countAttempt)).mapEmpty();
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  Future<List<JsonObject>> page(String auraId, String state, Instant before, int limit) {
    return pool.preparedQuery("""
        SELECT * FROM notifications WHERE aura_id = $1 AND ($2::text IS NULL OR state = $2)
          AND ($3::timestamptz IS NULL OR created_at < $3)
        ORDER BY created_at DESC, id LIMIT $4""")
      .execute(Tuple.of(auraId, state, time(before), limit))
      .map(NotificationStore::shown);
  }

  Future<Optional<JsonObject>> acknowledge(String id, String auraId) {
    return pool.preparedQuery("""
        UPDATE notifications SET acknowledged_at = coalesce(acknowledged_at, now())
        WHERE id = $1::uuid AND aura_id = $2 RETURNING *""")
      .execute(Tuple.of(id, auraId))
      .map(rows -> shown(rows).stream().findFirst());
  }

  Future<List<JsonObject>> rings(String callId) {
    return pool.preparedQuery("SELECT * FROM notifications WHERE call_id = $1 AND kind = 'call.incoming' ORDER BY aura_id, app_id, device_id")
      .execute(Tuple.of(callId)).map(NotificationStore::shown);
  }

  /** The person's live-stream deliveries after the one named, oldest first, as stream events. */
  Future<List<JsonObject>> streamAfter(String auraId, String lastEventId) {
    return pool.preparedQuery("""
        SELECT n.id, n.kind, n.app_id, n.device_id, n.payload FROM notifications n
        JOIN notification_channels c ON c.aura_id = n.aura_id AND c.app_id = n.app_id AND c.device_id = n.device_id
          AND c.kind = 'stream'
        JOIN notifications last ON last.id = $2::uuid AND last.aura_id = $1
        WHERE n.aura_id = $1 AND n.state = 'delivered' AND (n.created_at, n.id) > (last.created_at, last.id)
        ORDER BY n.created_at, n.id LIMIT 500""")
      .execute(Tuple.of(auraId, lastEventId))
      .map(rows -> {
        List<JsonObject> events = new ArrayList<>();
        for (Row row : rows) {
          events.add(streamEvent(row.getUUID("id").toString(), row.getString("kind"), row.getString("app_id"),
            row.getString("device_id"), (JsonObject) row.getValue("payload")));
        }
        return events;
      });
  }

  /** One event of the live stream (the shape published on {@code NotificationEvents.stream}). */
  static JsonObject streamEvent(String id, String kind, String appId, String deviceId, JsonObject payload) {
    return new JsonObject().put("id", id).put("type", kind).put("app_id", appId).put("device_id", deviceId)
      .put("data", payload.getValue("data"));
  }

  private static List<JsonObject> shown(RowSet<Row> rows) {
    List<JsonObject> shown = new ArrayList<>();
    for (Row row : rows) {
      shown.add(new JsonObject().put("notification_id", row.getUUID("id").toString()).put("kind", row.getString("kind"))
        .put("aura_id", row.getString("aura_id")).put("app_id", row.getString("app_id"))
        .put("device_id", row.getString("device_id")).put("call_id", row.getString("call_id"))
        .put("state", row.getString("state")).put("attempts", row.getInteger("attempts"))
        .put("last_error", row.getString("last_error")).put("suppressed_reason", row.getString("suppressed_reason"))
        .put("created_at", text(instant(row, "created_at"))).put("expires_at", text(instant(row, "expires_at")))
        .put("delivered_at", text(instant(row, "delivered_at")))
        .put("acknowledged_at", text(instant(row, "acknowledged_at")))
        .put("data", ((JsonObject) row.getValue("payload")).getValue("data")));
    }
    return shown;
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
