package io.auralink.comm.platform.cluster;

import com.hazelcast.config.Config;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Hazelcast configuration a node runs with, and the minimum cluster size it counts as a majority. */
class ClusterManagersTest {

  @Test
  void hazelcast_listens_on_the_configured_interface_only_and_merges_within_seconds() {
    Config config = ClusterManagers.hazelcastConfig(
      new AppConfig.Cluster("c", List.of("10.0.0.5"), "10.0.0.5", 5701, Optional.empty(), 1));
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("10.0.0.5"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("5", config.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("5", config.getProperty("hazelcast.merge.next.run.delay.seconds"));
  }

  @Test
  void the_minimum_cluster_size_is_a_majority_of_the_listed_members_unless_set() {
    assertEquals(1, minimum(null, null), "one member listed (the default): itself");
    assertEquals(2, minimum("10.0.0.1,10.0.0.2", null));
    assertEquals(2, minimum("10.0.0.1,10.0.0.2,10.0.0.3", null));
    assertEquals(3, minimum("10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5", null));
    assertEquals(1, minimum("10.0.0.1,10.0.0.2,10.0.0.3", "1"));
  }

  private static int minimum(String members, String minimum) {
    Map<String, String> values = new HashMap<>();
    values.put("AURALINK_DATABASE_URL", "postgresql://app:pw@db.internal:5432/auralink");
    values.put("AURALINK_REDIS_URL", "redis://cache.internal:6379");
    values.put("AURALINK_JWT_SECRET", "x".repeat(32));
    values.put("AURALINK_VERIFICATION_CODE_KEY", "v".repeat(32));
    values.put("AURALINK_DATA_KEYS", "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[32]));
    values.put("AURALINK_DATA_LOOKUP_KEY", java.util.Base64.getEncoder().encodeToString(new byte[32]));
    if (members != null) {
      values.put("AURALINK_CLUSTER_MEMBERS", members);
    }
    if (minimum != null) {
      values.put(AppConfig.Cluster.MIN_MEMBERS, minimum);
    }
    return AppConfig.from(Settings.of(values)).cluster().minimumMembers();
  }
}
