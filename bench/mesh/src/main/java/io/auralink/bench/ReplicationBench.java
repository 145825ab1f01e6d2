package io.auralink.bench;

import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.mesh.MeshServiceVertxEBProxy;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Replication lag between two members: two nodes (mesh role, real Hazelcast over loopback, embedded PostgreSQL and
 * Redis) in one JVM; member A registers nodes and reports links, in waves of 50 concurrent changes, once to warm up
 * and once measured; member B's graph measures, for each change made on A, the time from the write on the key's
 * owner to B's graph (the {@code replication_lag_ms} of its graph statistics, over the last 4096 changes: the
 * measured round only).
 */
public final class ReplicationBench {

  private static final int NODES = Integer.getInteger("bench.replication.nodes", 2000);
  private static final int WAVE = 50;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("auralink-replication-");
    try (EmbeddedStores stores = EmbeddedStores.start(dir)) {
      String cluster = "bench-" + UUID.randomUUID();
      int portA = EmbeddedStores.freePort();
      int portB = EmbeddedStores.freePort();
      String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
      Node a = start(stores, dir.resolve("a"), cluster, portA, members);
      Node b = start(stores, dir.resolve("b"), cluster, portB, members);
      try {
        MeshService onA = local(a);
        MeshService onB = local(b);
        Caller operator = Caller.service("bench", Set.of(MeshService.WRITE, MeshService.READ));
        for (int round = 0; round < 2; round++) {
          changes(onA, operator, round);
        }
        Thread.sleep(1000);
        JsonObject stats = onB.graphStats(operator).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        JsonObject lag = stats.getJsonObject("replication_lag_ms");
        System.out.printf("%nreplication lag A -> B over the last %d of %d changes: p50 %s ms, p99 %s ms, max %s ms"
            + " (target p99 < 50 ms): %s%n", Math.min(4096, lag.getLong("samples")), lag.getLong("samples"),
          lag.getValue("p50"), lag.getValue("p99"), lag.getValue("max"), lag.getLong("p99") < 50 ? "met" : "NOT met");
        System.out.printf("member B holds %d nodes and %d links%n", stats.getInteger("nodes"), stats.getInteger("links"));
      } finally {
        b.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        a.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    }
    System.exit(0);
  }

  /** One round: {@link #NODES} registrations (again: updates of the same devices) and as many link measurements. */
  private static void changes(MeshService onA, Caller operator, int round) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int start = 0; start < NODES; start += WAVE) {
      List<Future<JsonObject>> wave = new ArrayList<>();
      for (int k = start; k < Math.min(NODES, start + WAVE); k++) {
        wave.add(onA.registerNode(new JsonObject().put("aura_id", "@owner" + (k % 500) + ".aura")
          .put("device_id", "dev-" + k).put("address", "203.0.113.1:" + (3000 + round)).put("node_type", "relay")
          .put("nat_type", "public"), operator));
      }
      Future.all(wave).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      wave.forEach(f -> ids.add(f.result().getString("node_id")));
    }
    for (int start = 0; start < ids.size(); start += WAVE) {
      List<Future<JsonObject>> wave = new ArrayList<>();
      for (int k = start; k < Math.min(ids.size(), start + WAVE); k++) {
        wave.add(onA.reportLinks(ids.get(k), new JsonObject().put("links", new JsonArray()
          .add(new JsonObject().put("to", ids.get((k + 1) % ids.size())).put("rtt_ms", 20 + round))), operator));
      }
      Future.all(wave).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** A client of exactly this member's mesh verticle. */
  private static MeshService local(Node node) {
    return new MeshServiceVertxEBProxy(node.vertx(), MeshService.ADDRESS,
      new DeliveryOptions().setLocalOnly(true).setSendTimeout(30_000));
  }

  private static Node start(EmbeddedStores stores, Path dataDir, String cluster, int port, String members)
    throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("AURALINK_DATABASE_URL", stores.databaseUrl());
    settings.put("AURALINK_REDIS_URL", stores.redisUrl());
    settings.put("AURALINK_JWT_SECRET", "replication-bench-secret-0123456789-abcdefgh");
    settings.put("AURALINK_ROLES", "mesh");
    settings.put("AURALINK_CLUSTER_NAME", cluster);
    settings.put("AURALINK_CLUSTER_PORT", String.valueOf(port));
    settings.put("AURALINK_CLUSTER_MEMBERS", members);
    settings.put("AURALINK_DATA_DIR", dataDir.toString());
    settings.put("AURALINK_LOG_LEVEL", "WARN");
    return Node.start(AppConfig.from(Settings.of(settings))).toCompletionStage().toCompletableFuture()
      .get(120, TimeUnit.SECONDS);
  }
}
