package io.auralink.comm.testing;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.storage.EmbeddedStores;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Settings and start-up for nodes under test: own database, own cluster, free ports, a known JWT secret. */
public final class TestNodes {

  public static final String JWT_SECRET = "auralink-test-secret-0123456789-abcdefghijklmnop";
  public static final String VERIFICATION_CODE_KEY = "auralink-test-verification-key-0123456789-abcdef";
  /** Data-at-rest keys: {@code t1} (32 bytes of 0x01) and the lookup key (32 bytes of 0x02), base64. */
  public static final String DATA_KEYS = "t1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
  public static final String DATA_LOOKUP_KEY = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
  /**
   * Five times stricter than production's 2 s: an event loop busy this long fails the test class (see
   * NoBlockedEventLoops). Lower values trip on a 2-core machine when the scheduler or a GC pause, not our code,
   * holds a loop (seen at 200 ms with another process busy on one core).
   */
  public static final String BLOCKED_THREAD_WARNING = "400ms";

  private TestNodes() {
  }

  /** Settings for one node of a new single-node cluster. */
  public static Map<String, String> settings(String purpose) {
    return settings(purpose, "auralink-test-" + UUID.randomUUID(), EmbeddedStores.freePort(), null);
  }

  /**
   * Settings for a node of a given cluster. {@code members} lists every member's {@code host:port}; null means
   * this node alone.
   */
  public static Map<String, String> settings(String purpose, String clusterName, int clusterPort, String members) {
    TestStores stores = TestStores.get();
    Map<String, String> settings = new HashMap<>();
    settings.put("AURALINK_DATABASE_URL", stores.newDatabase(purpose));
    settings.put("AURALINK_REDIS_URL", stores.redisUrl(clusterName));
    settings.putAll(keysAndLimits());
    settings.put("AURALINK_HTTP_HOST", "127.0.0.1");
    settings.put("AURALINK_HTTP_PORT", String.valueOf(EmbeddedStores.freePort()));
    settings.put("AURALINK_HTTP_INSTANCES", "2");
    settings.put("AURALINK_CLUSTER_NAME", clusterName);
    settings.put("AURALINK_CLUSTER_PORT", String.valueOf(clusterPort));
    settings.put("AURALINK_CLUSTER_MEMBERS", members != null ? members : "127.0.0.1:" + clusterPort);
    settings.put("AURALINK_BLOCKED_THREAD_WARNING", BLOCKED_THREAD_WARNING);
    settings.put("AURALINK_DATA_DIR", TestStores.tempDir().toString());
    return settings;
  }

  /** The test keys, and limits no test meets unless it is about them: every node a test starts, in-process or not. */
  public static Map<String, String> keysAndLimits() {
    return Map.of(
      "AURALINK_JWT_SECRET", JWT_SECRET,
      "AURALINK_VERIFICATION_CODE_KEY", VERIFICATION_CODE_KEY,
      "AURALINK_DATA_KEYS", DATA_KEYS,
      "AURALINK_DATA_LOOKUP_KEY", DATA_LOOKUP_KEY,
      // Test classes share one Redis and reuse principals (service:dashboard, @alice.aura) within a minute: limits
      // far above what any test sends, so that only the tests about limits (which set their own) meet one.
      "AURALINK_RATE_LIMIT_USER", "100000/1m",
      "AURALINK_RATE_LIMIT_SERVICE", "100000/1m",
      "AURALINK_RATE_LIMIT_ANONYMOUS", "100000/1m",
      // Tests give one person (a relay operator, a reporter) many nodes; MeshBoundsTest tests the quota itself.
      "AURALINK_MESH_MAX_NODES_PER_PERSON", "1000");
  }

  /**
   * Starts a node. A port found free may be taken before the node binds it (an outgoing connection's local port is
   * drawn from the same range): the HTTP listener then gets another port, written back into {@code settings}.
   */
  public static Node start(Map<String, String> settings) {
    for (int attempt = 1; ; attempt++) {
      try {
        return Await.result(Node.start(AppConfig.from(Settings.of(settings))), Duration.ofSeconds(90));
      } catch (RuntimeException e) {
        if (attempt == 3 || !portTaken(e)) {
          throw e;
        }
        settings.put("AURALINK_HTTP_PORT", String.valueOf(EmbeddedStores.freePort()));
      }
    }
  }

  private static boolean portTaken(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (String.valueOf(cause.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }

  public static void stop(Node node) {
    if (node != null) {
      Await.result(node.close(), Duration.ofSeconds(60));
    }
  }
}
