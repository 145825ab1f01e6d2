package io.auralink.comm.testing.cluster;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.platform.storage.Migrations;
import io.auralink.comm.testing.TestNodes;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * N members (default 3) of one cluster, each a {@link NodeProcess} running every role, sharing a PostgreSQL and a
 * Redis of their own ({@link ClusterStores}) that the harness can stop. The schema is applied once before the
 * members start, so they start together. Everything it starts it stops on {@link #close}.
 */
public final class ProcessCluster implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Path dir;
  private final ClusterStores stores;
  private final List<NodeProcess> members = new ArrayList<>();

  private ProcessCluster(Path dir, ClusterStores stores) {
    this.dir = dir;
    this.stores = stores;
  }

  /** Starts the stores and {@code size} members, and waits until every member is ready. */
  public static ProcessCluster start(int size, Path dir, Duration readyWithin) {
    ClusterStores stores = new ClusterStores(dir.resolve("stores")).start();
    ProcessCluster cluster = new ProcessCluster(dir, stores);
    try {
      Map<String, String> shared = new HashMap<>();
      shared.put(AppConfig.Database.URL, stores.databaseUrl());
      Migrations.applyBlocking(AppConfig.Database.from(Settings.of(shared)));
      String jar = System.getProperty("auralink.faults.jar");
      System.out.println("process cluster of " + size + " under " + dir + ", members run "
        + (jar == null || jar.isBlank() ? "the compiled classes on the test class path" : jar));
      String name = "auralink-faults-" + UUID.randomUUID();
      List<Integer> clusterPorts = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        clusterPorts.add(EmbeddedStores.freePort());
      }
      String memberList = clusterPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
      for (int i = 0; i < size; i++) {
        int httpPort = EmbeddedStores.freePort();
        Map<String, String> env = new HashMap<>(shared);
        env.put(AppConfig.Redis.URL, stores.redisUrl());
        env.putAll(TestNodes.keysAndLimits());
        env.put("AURALINK_HTTP_HOST", "127.0.0.1");
        env.put("AURALINK_HTTP_PORT", String.valueOf(httpPort));
        env.put("AURALINK_CLUSTER_NAME", name);
        env.put("AURALINK_CLUSTER_HOST", "127.0.0.1");
        env.put("AURALINK_CLUSTER_PORT", String.valueOf(clusterPorts.get(i)));
        env.put("AURALINK_CLUSTER_MEMBERS", memberList);
        env.put("AURALINK_DATA_DIR", dir.resolve("member-" + (i + 1)).toString());
        // A stopped PostgreSQL refuses connections at once; the timeout only bounds a hung one (and the start-up
        // check, which a machine shared with other work can make slow).
        env.put("AURALINK_DATABASE_CONNECT_TIMEOUT", "3s");
        env.put("AURALINK_DATABASE_POOL_SIZE", "8");
        // The load files many reports per reporter; the hourly limit is not what is under test.
        env.put("AURALINK_TRUST_REPORTS_PER_HOUR", "10000");
        env.put("AURALINK_LOG_FORMAT", "console");
        env.put("AURALINK_HTTP_SHUTDOWN_GRACE", "2s");
        NodeProcess member = new NodeProcess("member-" + (i + 1), httpPort, env, dir.resolve("logs"));
        cluster.members.add(member);
        member.start();
      }
      cluster.awaitReady(readyWithin);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  public List<NodeProcess> members() {
    return List.copyOf(members);
  }

  public NodeProcess member(int index) {
    return members.get(index);
  }

  public ClusterStores stores() {
    return stores;
  }

  public Path dir() {
    return dir;
  }

  /** Waits until every running member answers 200 on {@code /health/ready}. */
  public void awaitReady(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    for (NodeProcess member : members) {
      while (!ready(member)) {
        if (!member.alive()) {
          throw new AssertionError(member + " exited while starting; see its log under " + dir.resolve("logs"));
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(member + " not ready within " + within + "; see its log under "
            + dir.resolve("logs"));
        }
        pause(100);
      }
    }
  }

  /** Whether the member answers 200 on {@code /health/ready} (a member that does not answer is not ready). */
  public static boolean ready(NodeProcess member) {
    return readiness(member) == 200;
  }

  /** A member's readiness: the status (0 when it did not answer within 2 s) and the members it sees (-1: unsaid). */
  public record Readiness(int status, int members) {
  }

  /** The member's {@code /health/ready} answer. */
  public static Readiness readinessReport(NodeProcess member) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + member.httpPort() + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
      int members = -1;
      try {
        JsonObject cluster = new JsonObject(response.body()).getJsonObject("checks", new JsonObject())
          .getJsonObject("cluster", new JsonObject());
        members = cluster.getInteger("members", -1);
      } catch (RuntimeException notJson) {
        // unsaid
      }
      return new Readiness(response.statusCode(), members);
    } catch (java.io.IOException e) {
      return new Readiness(0, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Readiness(0, -1);
    }
  }

  /** The member's {@code /health/ready} status, or 0 if it did not answer within 2 s. */
  public static int readiness(NodeProcess member) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + member.httpPort() + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    members.parallelStream().forEach(NodeProcess::stop);
    stores.close();
  }
}
