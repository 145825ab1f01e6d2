package io.auralink.comm.platform.cluster;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.auralink.comm.mesh.replication.ClusterGraph;
import io.auralink.comm.platform.PlatformError;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.platform.storage.StorageFailures;
import io.auralink.comm.testing.Await;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Hazelcast's own split-brain protection on the mesh maps, as the node configures it: a member that starts first may
 * write (it restores the graph before the others join); once it has been in a cluster of the minimum size and is
 * left alone, its writes to the mesh maps are refused, and the refusal is a 503 {@code CLUSTER_MINORITY}, never a
 * 500; other maps (Vert.x's own) are not guarded; a single-member cluster has no protection.
 */
class MeshSplitBrainProtectionTest {

  private HazelcastInstance first;
  private HazelcastInstance second;

  @AfterEach
  void stop() {
    for (HazelcastInstance member : new HazelcastInstance[]{first, second}) {
      if (member != null) {
        member.getLifecycleService().terminate();
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void a_member_left_in_a_minority_has_its_mesh_writes_refused_as_cluster_minority() {
    String name = "protection-test-" + UUID.randomUUID();
    int firstPort = EmbeddedStores.freePort();
    int secondPort = EmbeddedStores.freePort();
    List<String> members = List.of("127.0.0.1:" + firstPort, "127.0.0.1:" + secondPort);
    first = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(
      new AppConfig.Cluster(name, members, "127.0.0.1", firstPort, Optional.empty(), 2)));
    IMap<String, String> nodes = first.getMap(ClusterGraph.NODES);
    nodes.put("written-alone-at-start", "{}");

    second = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(
      new AppConfig.Cluster(name, members, "127.0.0.1", secondPort, Optional.empty(), 2)));
    Await.until(Duration.ofSeconds(30), "two members", () -> first.getCluster().getMembers().size() == 2);
    nodes.put("written-by-the-majority", "{}");

    second.getLifecycleService().terminate();
    second = null;
    AtomicReference<RuntimeException> refused = new AtomicReference<>();
    Await.until(Duration.ofSeconds(30), "the lone member's mesh writes are refused", () -> {
      try {
        nodes.put("written-in-a-minority", "{}");
        nodes.delete("written-in-a-minority");
        return false;
      } catch (SplitBrainProtectionException e) {
        refused.set(e);
        return true;
      }
    });
    assertThrows(SplitBrainProtectionException.class,
      () -> first.getMap(ClusterGraph.LINKS).put("a|b", "{}"), "every mesh map is guarded");
    first.getMap("__vertx.nodeInfo").put("unguarded", "Vert.x's own maps stay writable");
    assertNull(nodes.get("written-in-a-minority"), "nothing was written in the minority");

    Throwable answer = StorageFailures.classify(new RuntimeException("wrapped", refused.get()));
    ServiceException outage = assertInstanceOf(ServiceException.class, answer);
    assertEquals(503, outage.failureCode());
    assertEquals(PlatformError.CLUSTER_MINORITY.name(), outage.getDebugInfo().getString("code"));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void a_single_member_cluster_has_no_protection() {
    int port = EmbeddedStores.freePort();
    first = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(new AppConfig.Cluster(
      "protection-test-" + UUID.randomUUID(), List.of("127.0.0.1:" + port), "127.0.0.1", port, Optional.empty(), 1)));
    assertEquals(0, first.getConfig().getSplitBrainProtectionConfigs().size());
    first.getMap(ClusterGraph.NODES).put("alone", "{}");
  }
}
