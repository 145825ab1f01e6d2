package io.auralink.comm.mesh.impl;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Route answers in Redis. Keys:
 * <ul>
 *   <li>{@code mesh:route:{source}:{destination}:{media}:{aic}:{max_hops}} — the answer (JSON), TTL the route cache
 *       lifetime;</li>
 *   <li>{@code mesh:route-nodes:{node_id}} — set of the answer keys whose path uses the node, same TTL, so that a
 *       node going offline, changing trust or being suspended drops exactly the answers it is on.</li>
 * </ul>
 * Redis is expendable here: a read that fails is a miss, a write that fails is skipped (logged).
 */
final class RouteCache {

  private static final Logger LOG = LoggerFactory.getLogger(RouteCache.class);

  private final Redis redis;
  private final long ttlSeconds;

  RouteCache(Redis redis, Duration ttl) {
    this.redis = redis;
    this.ttlSeconds = Math.max(1, ttl.toSeconds());
  }

  static String key(String source, String destination, String media, boolean aic, int maxHops) {
    return "mesh:route:" + source + ":" + destination + ":" + media + ":" + aic + ":" + maxHops;
  }

  private static String nodeKey(String nodeId) {
    return "mesh:route-nodes:" + nodeId;
  }

  Future<Optional<JsonObject>> get(String key) {
    return redis.send(Request.cmd(Command.GET).arg(key))
      .map(reply -> reply == null ? Optional.<JsonObject>empty() : Optional.of(new JsonObject(reply.toString())))
      .recover(e -> {
        LOG.debug("route cache read failed {}", kv("error", String.valueOf(e.getMessage())));
        return Future.succeededFuture(Optional.empty());
      });
  }

  Future<Void> put(String key, JsonObject answer, Collection<String> nodeIds) {
    List<Request> batch = new ArrayList<>();
    batch.add(Request.cmd(Command.SET).arg(key).arg(answer.encode()).arg("EX").arg(ttlSeconds));
    for (String nodeId : nodeIds) {
      batch.add(Request.cmd(Command.SADD).arg(nodeKey(nodeId)).arg(key));
      batch.add(Request.cmd(Command.EXPIRE).arg(nodeKey(nodeId)).arg(ttlSeconds));
    }
    return redis.batch(batch).<Void>mapEmpty().recover(e -> skipped("write", e));
  }

  /** Drops every cached answer whose path uses one of these nodes. */
  Future<Void> invalidate(Collection<String> nodeIds) {
    if (nodeIds.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> reads = nodeIds.stream().map(id -> Request.cmd(Command.SMEMBERS).arg(nodeKey(id))).toList();
    return redis.batch(reads).compose(sets -> {
      Request delete = Request.cmd(Command.DEL);
      nodeIds.forEach(id -> delete.arg(nodeKey(id)));
      for (Response set : sets) {
        if (set != null) {
          set.forEach(member -> delete.arg(member.toString()));
        }
      }
      return redis.send(delete);
    }).<Void>mapEmpty().recover(e -> skipped("invalidation", e));
  }

  private static Future<Void> skipped(String what, Throwable e) {
    LOG.warn("route cache {} skipped {}", what, kv("error", String.valueOf(e.getMessage())));
    return Future.succeededFuture();
  }
}
