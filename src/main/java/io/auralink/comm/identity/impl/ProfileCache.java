package io.auralink.comm.identity.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The resolution cache in Redis, read through by the registry. Keys, all per AuraID:
 * <ul>
 *   <li>{@code identity:version:{aura_id}} (string counter, TTL a day or more): bumped by every change;</li>
 *   <li>{@code identity:profile:{aura_id}} (string, TTL {@code AURALINK_IDENTITY_CACHE_TTL}):
 *       {@code {"v": version, "p": profile or null}}, null recording that the AuraID does not exist;</li>
 *   <li>{@code identity:relations:{aura_id}} (hash, same TTL): {@code _v} = version, then other AuraID →
 *       {@code friend} | {@code blocked}.</li>
 * </ul>
 * An entry is trusted only while its version equals the counter, so a reader that loaded data before a change
 * can never put stale data back. A lookup of any number of AuraIDs is one round trip (one pipelined batch).
 * Redis failures degrade to misses; a failed invalidation is retried in the background.
 */
final class ProfileCache {

  private static final Logger LOG = LoggerFactory.getLogger(ProfileCache.class);
  private static final String VERSION = "identity:version:";
  private static final String PROFILE = "identity:profile:";
  private static final String RELATIONS = "identity:relations:";
  private static final String VERSION_FIELD = "_v";
  /** Replaces a relations hash atomically, so that two writers never merge their fields. */
  private static final String REPLACE_HASH = """
    redis.call('DEL', KEYS[1])
    for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    return 1""";

  private final Vertx vertx;
  private final Redis redis;
  private final long ttlMillis;
  private final long versionTtlMillis;
  private final Counter hits;
  private final Counter misses;
  private final Counter errors;
  /** Whether the last lookup failed: outages are logged when they start and end, not once per request. */
  private boolean unavailable;

  ProfileCache(Vertx vertx, Redis redis, Duration ttl, MeterRegistry metrics) {
    this.vertx = vertx;
    this.redis = redis;
    this.ttlMillis = ttl.toMillis();
    this.versionTtlMillis = Math.max(Duration.ofDays(1).toMillis(), 2 * ttlMillis);
    this.hits = counter(metrics, "hit");
    this.misses = counter(metrics, "miss");
    this.errors = counter(metrics, "error");
  }

  private static Counter counter(MeterRegistry metrics, String result) {
    return Counter.builder("auralink.identity.cache").tag("result", result)
      .description("AuraID resolution cache lookups").register(metrics);
  }

  /** What the cache knew about one AuraID, and the version to store fresh data under. */
  record Entry(long version, Optional<Optional<Profile>> profile, Optional<Privacy.Relation> relation) {
    boolean complete(boolean needRelation) {
      return profile.isPresent() && (!needRelation || relation.isPresent());
    }
  }

  /**
   * Looks up the targets (and, when {@code viewer} is given, how each relates to the viewer) in one round trip.
   * Never fails: on a Redis error every target is a miss with no version (and nothing is written back).
   */
  Future<Map<String, Entry>> read(List<String> targets, String viewer) {
    List<Request> batch = new ArrayList<>();
    for (String target : targets) {
      batch.add(Request.cmd(Command.GET).arg(VERSION + target));
      batch.add(Request.cmd(Command.GET).arg(PROFILE + target));
      if (viewer != null) {
        batch.add(Request.cmd(Command.HMGET).arg(RELATIONS + target).arg(viewer).arg(VERSION_FIELD));
      }
    }
    return redis.batch(batch)
      .map(replies -> {
        if (unavailable) {
          unavailable = false;
          LOG.info("identity cache available again");
        }
        Map<String, Entry> entries = new HashMap<>();
        int i = 0;
        for (String target : targets) {
          long version = replies.get(i) == null ? 0 : replies.get(i).toLong();
          Optional<Optional<Profile>> profile = profileAt(replies.get(i + 1), version);
          Optional<Privacy.Relation> relation = Optional.empty();
          if (viewer != null) {
            relation = relationAt(replies.get(i + 2), version);
          }
          i += viewer != null ? 3 : 2;
          boolean hit = profile.isPresent() && (viewer == null || relation.isPresent());
          (hit ? hits : misses).increment();
          entries.put(target, new Entry(version, profile, relation));
        }
        return entries;
      })
      .otherwise(e -> {
        errors.increment(targets.size());
        if (!unavailable) {
          unavailable = true;
          LOG.warn("identity cache unavailable; reading PostgreSQL until it returns {}", kv("error", e.getMessage()));
        }
        Map<String, Entry> misses = new HashMap<>();
        targets.forEach(t -> misses.put(t, new Entry(-1, Optional.empty(), Optional.empty())));
        return misses;
      });
  }

  private static Optional<Optional<Profile>> profileAt(Response reply, long version) {
    if (reply == null) {
      return Optional.empty();
    }
    JsonObject entry = new JsonObject(reply.toBuffer());
    if (entry.getLong("v", -1L) != version) {
      return Optional.empty();
    }
    JsonObject profile = entry.getJsonObject("p");
    return Optional.of(profile == null ? Optional.empty() : Optional.of(Profile.fromJson(profile)));
  }

  private static Optional<Privacy.Relation> relationAt(Response reply, long version) {
    Response stamp = reply.get(1);
    if (stamp == null || stamp.toLong() != version) {
      return Optional.empty();
    }
    Response relation = reply.get(0);
    return Optional.of(Privacy.Relation.parse(relation == null ? null : relation.toString()));
  }

  /** Stores what was loaded under the version read before loading; a version of -1 (Redis was down) stores nothing. */
  void write(String target, long version, Optional<Profile> profile, Map<String, Privacy.Relation> relations) {
    if (version < 0) {
      return;
    }
    List<Request> batch = new ArrayList<>();
    batch.add(Request.cmd(Command.SET).arg(PROFILE + target)
      .arg(new JsonObject().put("v", version).put("p", profile.map(Profile::toJson).orElse(null)).encode())
      .arg("PX").arg(ttlMillis));
    if (relations != null) {
      Request replace = Request.cmd(Command.EVAL).arg(REPLACE_HASH).arg(1).arg(RELATIONS + target)
        .arg(ttlMillis).arg(VERSION_FIELD).arg(version);
      relations.forEach((other, relation) -> replace.arg(other).arg(relation.stored()));
      batch.add(replace);
    }
    redis.batch(batch).onFailure(e -> errors.increment());
  }

  /**
   * Invalidates everything cached about these AuraIDs by bumping their versions. Answers once Redis has taken the
   * change; if it cannot, it still answers (the change is stored) and keeps retrying in the background.
   */
  Future<Void> invalidate(List<String> auraIds) {
    return bump(auraIds).recover(e -> {
      LOG.error("identity cache invalidation failed; retrying in the background {} {}", kv("aura_ids", auraIds),
        kv("error", e.getMessage()));
      errors.increment();
      retryLater(auraIds, 1);
      return Future.succeededFuture();
    });
  }

  private Future<Void> bump(List<String> auraIds) {
    List<Request> batch = new ArrayList<>();
    for (String auraId : auraIds) {
      batch.add(Request.cmd(Command.INCR).arg(VERSION + auraId));
      batch.add(Request.cmd(Command.PEXPIRE).arg(VERSION + auraId).arg(versionTtlMillis));
    }
    return redis.batch(batch).mapEmpty();
  }

  private void retryLater(List<String> auraIds, int attempt) {
    long delay = Math.min(30_000, 250L << Math.min(attempt, 7));
    vertx.setTimer(delay, id -> bump(auraIds).onFailure(e -> retryLater(auraIds, attempt + 1)));
  }
}
