package io.auralink.comm.platform.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether this node can serve: PostgreSQL answers, Redis answers, and the node is an active cluster member.
 * Each check has its own deadline, so a hung dependency reports DOWN instead of hanging the probe; the report
 * itself never fails. A lost dependency makes the node unready, it never stops the process.
 */
public final class Readiness {

  private final Pool pool;
  private final Redis redis;
  private final ClusterManager cluster;
  private final long timeoutMillis;

  public Readiness(Pool pool, Redis redis, ClusterManager cluster, Duration timeout) {
    this.pool = pool;
    this.redis = redis;
    this.cluster = cluster;
    this.timeoutMillis = timeout.toMillis();
  }

  /** {@code {"status": "UP"|"DOWN", "checks": {"postgresql": {...}, "redis": {...}, "cluster": {...}}}}. */
  public Future<JsonObject> report() {
    Map<String, Supplier<Future<JsonObject>>> checks = new LinkedHashMap<>();
    checks.put("postgresql", this::postgresql);
    checks.put("redis", this::redis);
    checks.put("cluster", this::cluster);
    Map<String, Future<JsonObject>> running = new LinkedHashMap<>();
    checks.forEach((name, check) -> running.put(name, timed(check)));
    return Future.all(List.copyOf(running.values())).map(done -> {
      JsonObject results = new JsonObject();
      running.forEach((name, result) -> results.put(name, result.result()));
      boolean up = running.values().stream().allMatch(r -> "UP".equals(r.result().getString("status")));
      return new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", results);
    });
  }

  private Future<JsonObject> timed(Supplier<Future<JsonObject>> check) {
    long start = System.nanoTime();
    Future<JsonObject> attempt;
    try {
      attempt = check.get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    return attempt
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .map(details -> details.put("status", "UP"))
      .otherwise(e -> new JsonObject().put("status", "DOWN").put("error", describe(e)))
      .map(result -> result.put("latency_ms", (System.nanoTime() - start) / 1_000_000));
  }

  private Future<JsonObject> postgresql() {
    return pool.query("SELECT 1").execute().map(rows -> new JsonObject());
  }

  private Future<JsonObject> redis() {
    return redis.send(Request.cmd(Command.PING)).map(reply -> new JsonObject());
  }

  private Future<JsonObject> cluster() {
    if (!cluster.isActive()) {
      return Future.failedFuture("this node is not an active cluster member");
    }
    var nodes = cluster.getNodes();
    if (!nodes.contains(cluster.getNodeId())) {
      return Future.failedFuture("this node is missing from the cluster's member list");
    }
    return Future.succeededFuture(new JsonObject().put("members", nodes.size()));
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
