package io.auralink.comm.platform.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether this node should be sent traffic. Each check says what its failure means:
 * <ul>
 *   <li>{@code postgresql} ({@link Effect#UNREADY}): every write and most reads need it, so without it the node
 *   would only answer 503s.</li>
 *   <li>{@code cluster} ({@link Effect#UNREADY}): the node is an active member of a cluster of at least the minimum
 *   size; a member cut off into a minority must not take traffic that the majority may contradict.</li>
 *   <li>{@code redis} ({@link Effect#DEGRADED}): Redis only holds what is expendable (profile cache, federation
 *   counters), and every feature that uses it falls back without it, so the node stays ready and says it is
 *   degraded.</li>
 * </ul>
 * The report is {@code DOWN} when a check that makes the node unready fails, {@code DEGRADED} when only checks that
 * degrade it fail, {@code UP} otherwise. Each check has its own deadline, so a hung dependency reports DOWN instead
 * of hanging the probe; the report itself never fails. A lost dependency never stops the process.
 */
public final class Readiness {

  /** What a failing check does to the node's readiness. */
  public enum Effect {
    /** The node is unready ({@code /health/ready} answers 503). */
    UNREADY,
    /** The node stays ready and reports itself degraded. */
    DEGRADED;

    String id() {
      return name().toLowerCase();
    }
  }

  public static final String UP = "UP";
  public static final String DEGRADED = "DEGRADED";
  public static final String DOWN = "DOWN";

  private record Check(String name, Effect effect, Supplier<Future<JsonObject>> probe) {
  }

  private final Pool pool;
  private final Redis redis;
  private final ClusterManager cluster;
  private final int minimumMembers;
  private final long timeoutMillis;

  public Readiness(Pool pool, Redis redis, ClusterManager cluster, int minimumMembers, Duration timeout) {
    this.pool = pool;
    this.redis = redis;
    this.cluster = cluster;
    this.minimumMembers = minimumMembers;
    this.timeoutMillis = timeout.toMillis();
  }

  /**
   * {@code {"status": "UP"|"DEGRADED"|"DOWN", "degraded": [names], "checks": {"postgresql": {...}, "redis": {...},
   * "cluster": {...}}}}; each check has {@code status}, {@code effect} ({@code unready} or {@code degraded}),
   * {@code latency_ms}, and {@code error} when DOWN.
   */
  public Future<JsonObject> report() {
    List<Check> checks = List.of(
      new Check("postgresql", Effect.UNREADY, this::postgresql),
      new Check("redis", Effect.DEGRADED, this::redis),
      new Check("cluster", Effect.UNREADY, this::cluster));
    List<Future<JsonObject>> running = checks.stream().map(check -> timed(check)).toList();
    return Future.all(running).map(done -> {
      JsonObject results = new JsonObject();
      List<String> unready = new ArrayList<>();
      List<String> degraded = new ArrayList<>();
      for (int i = 0; i < checks.size(); i++) {
        Check check = checks.get(i);
        JsonObject result = running.get(i).result();
        results.put(check.name(), result);
        if (DOWN.equals(result.getString("status"))) {
          (check.effect() == Effect.UNREADY ? unready : degraded).add(check.name());
        }
      }
      String status = !unready.isEmpty() ? DOWN : !degraded.isEmpty() ? DEGRADED : UP;
      return new JsonObject().put("status", status).put("degraded", new JsonArray(degraded)).put("checks", results);
    });
  }

  /**
   * A report as the open endpoints show it: the overall status, the degraded checks and each check's status and
   * effect, without errors or latencies (an error names a host and port); the cluster check keeps its member
   * counts, which say why a member is unready (a minority) and name no one.
   */
  private static final List<String> OPEN_COUNTS = List.of("members", "minimum_members");

  public static JsonObject summary(JsonObject report) {
    JsonObject checks = new JsonObject();
    JsonObject detailed = report.getJsonObject("checks", new JsonObject());
    for (String name : detailed.fieldNames()) {
      JsonObject check = detailed.getJsonObject(name);
      JsonObject open = new JsonObject().put("status", check.getString("status")).put("effect", check.getString("effect"));
      for (String count : OPEN_COUNTS) {
        if (check.getValue(count) instanceof Integer) {
          open.put(count, check.getInteger(count));
        }
      }
      checks.put(name, open);
    }
    return new JsonObject().put("status", report.getString("status")).put("degraded", report.getJsonArray("degraded"))
      .put("checks", checks);
  }

  /** Whether a report says the node should take traffic: UP or DEGRADED. */
  public static boolean ready(JsonObject report) {
    return !DOWN.equals(report.getString("status"));
  }

  private Future<JsonObject> timed(Check check) {
    long start = System.nanoTime();
    Future<JsonObject> attempt;
    try {
      attempt = check.probe().get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    return attempt
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .map(details -> details.put("status", UP))
      .otherwise(e -> new JsonObject().put("status", DOWN).put("error", describe(e)))
      .map(result -> result.put("effect", check.effect().id())
        .put("latency_ms", (System.nanoTime() - start) / 1_000_000));
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
    if (nodes.size() < minimumMembers) {
      return Future.failedFuture("this node sees " + nodes.size() + " of the " + minimumMembers
        + " members a cluster needs (AURALINK_CLUSTER_MIN_MEMBERS): it may be cut off in a minority");
    }
    return Future.succeededFuture(new JsonObject().put("members", nodes.size())
      .put("minimum_members", minimumMembers));
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
