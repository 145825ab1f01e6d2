package io.auralink.comm.mesh.replication;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.platform.cluster.ClusterManagers;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clusters of the same name that find each other (a split healing) merge within seconds with the node's
 * configuration; of a key both sides changed, the higher version stays; entries made on either side survive; and
 * the graph on each member, the one that merged into the other included, ends up with every entry.
 */
class SplitBrainMergeTest {

  private HazelcastInstance larger;
  private HazelcastInstance smaller;

  @AfterEach
  void stop() {
    for (HazelcastInstance member : new HazelcastInstance[]{larger, smaller}) {
      if (member != null) {
        member.getLifecycleService().terminate();
      }
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void a_healed_split_keeps_the_higher_version_and_every_sides_entries() {
    String name = "merge-test-" + UUID.randomUUID();
    int largerPort = EmbeddedStores.freePort();
    int smallerPort = EmbeddedStores.freePort();
    // The first knows the second's address (it is not running yet, so the first starts alone); the second knows
    // only itself, so it starts as a cluster of its own. The first's merge check then finds it.
    larger = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(new AppConfig.Cluster(name,
      List.of("127.0.0.1:" + largerPort, "127.0.0.1:" + smallerPort), "127.0.0.1", largerPort, Optional.empty(), 1)));
    smaller = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(new AppConfig.Cluster(name,
      List.of("127.0.0.1:" + smallerPort), "127.0.0.1", smallerPort, Optional.empty(), 1)));
    assertEquals(1, larger.getCluster().getMembers().size());
    assertEquals(1, smaller.getCluster().getMembers().size());

    // What each member's graph hears, as the mesh verticle would apply it: the highest version per node.
    List<Map<String, Long>> heard = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    List<HazelcastInstance> sides = List.of(larger, smaller);
    for (int i = 0; i < 2; i++) {
      Map<String, Long> graph = heard.get(i);
      new ClusterGraph(sides.get(i)).listen(change -> {
        if (change instanceof ClusterGraph.NodeChanged changed) {
          graph.merge(changed.node().nodeId(), changed.node().version(), Math::max);
        }
      });
    }
    IMap<String, String> largerNodes = larger.getMap(ClusterGraph.NODES);
    IMap<String, String> smallerNodes = smaller.getMap(ClusterGraph.NODES);
    // Hazelcast decides which side merges into the other: each side holds the higher version of one key, so the
    // merging side's value must win for one of them (Hazelcast's default keeps the target's value).
    largerNodes.put("both-a", node("both-a", 3));
    smallerNodes.put("both-a", node("both-a", 9));
    largerNodes.put("both-b", node("both-b", 9));
    smallerNodes.put("both-b", node("both-b", 3));
    largerNodes.put("only-larger", node("only-larger", 1));
    smallerNodes.put("only-smaller", node("only-smaller", 1));

    AtomicBoolean merged = new AtomicBoolean();
    for (HazelcastInstance member : List.of(larger, smaller)) {
      member.getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          merged.set(true);
        }
      });
    }

    Await.until(Duration.ofSeconds(45), "the two clusters merge", () -> merged.get()
      && larger.getCluster().getMembers().size() == 2 && smaller.getCluster().getMembers().size() == 2);
    Await.until(Duration.ofSeconds(15), "the merged entries are in place", () -> largerNodes.size() == 4);

    for (HazelcastInstance member : List.of(larger, smaller)) {
      IMap<String, String> nodes = member.getMap(ClusterGraph.NODES);
      for (String key : List.of("both-a", "both-b")) {
        assertEquals(9, NodeState.fromJson(new JsonObject(nodes.get(key))).version(), key + ": the higher version");
      }
      assertTrue(nodes.containsKey("only-larger") && nodes.containsKey("only-smaller"), "both sides' entries stay");
    }
    Map<String, Long> everything = Map.of("both-a", 9L, "both-b", 9L, "only-larger", 1L, "only-smaller", 1L);
    try {
      Await.until(Duration.ofSeconds(10), "each member's graph holds every entry at its merged version",
        () -> heard.get(0).equals(everything) && heard.get(1).equals(everything));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the graphs heard " + heard, e);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void a_node_removed_on_either_side_stays_removed_after_the_merge_in_the_maps_and_every_graph() {
    String name = "merge-test-" + UUID.randomUUID();
    int largerPort = EmbeddedStores.freePort();
    int smallerPort = EmbeddedStores.freePort();
    larger = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(new AppConfig.Cluster(name,
      List.of("127.0.0.1:" + largerPort, "127.0.0.1:" + smallerPort), "127.0.0.1", largerPort, Optional.empty(), 1)));
    smaller = Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(new AppConfig.Cluster(name,
      List.of("127.0.0.1:" + smallerPort), "127.0.0.1", smallerPort, Optional.empty(), 1)));
    List<HazelcastInstance> sides = List.of(larger, smaller);
    // Each member's graph as the mesh verticle keeps it: a node at its highest version, gone once removed.
    List<Map<String, Long>> graphs = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    List<ClusterGraph> clusterGraphs = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Map<String, Long> graph = graphs.get(i);
      ClusterGraph clusterGraph = new ClusterGraph(sides.get(i));
      clusterGraphs.add(clusterGraph);
      clusterGraph.listen(change -> {
        if (change instanceof ClusterGraph.NodeChanged changed) {
          graph.merge(changed.node().nodeId(), changed.node().version(), Math::max);
        } else if (change instanceof ClusterGraph.NodeRemoved gone) {
          graph.computeIfPresent(gone.nodeId(), (id, version) -> version <= gone.version() ? null : version);
        }
      });
    }
    // Both sides hold both nodes (as both did before the split); each removes one during the split.
    for (HazelcastInstance side : sides) {
      IMap<String, String> nodes = side.getMap(ClusterGraph.NODES);
      nodes.put("removed-on-larger", node("removed-on-larger", 4));
      nodes.put("removed-on-smaller", node("removed-on-smaller", 4));
    }
    larger.getMap(ClusterGraph.NODES).put("made-on-larger", node("made-on-larger", 1));
    smaller.getMap(ClusterGraph.NODES).put("made-on-smaller", node("made-on-smaller", 1));
    Await.until(Duration.ofSeconds(10), "each graph heard its side",
      () -> graphs.get(0).size() == 3 && graphs.get(1).size() == 3);
    clusterGraphs.get(0).remove("removed-on-larger");
    clusterGraphs.get(1).remove("removed-on-smaller");

    Await.until(Duration.ofSeconds(45), "the two clusters merge", () ->
      larger.getCluster().getMembers().size() == 2 && smaller.getCluster().getMembers().size() == 2);
    Set<String> expected = Set.of("made-on-larger", "made-on-smaller");
    try {
      Await.until(Duration.ofSeconds(15), "the maps and both graphs hold the entries made and none removed", () ->
        larger.getMap(ClusterGraph.NODES).keySet().equals(expected)
          && smaller.getMap(ClusterGraph.NODES).keySet().equals(expected)
          && graphs.get(0).keySet().equals(expected) && graphs.get(1).keySet().equals(expected));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; maps " + larger.getMap(ClusterGraph.NODES).keySet()
        + ", graphs " + graphs, e);
    } finally {
      clusterGraphs.forEach(ClusterGraph::stopListening);
    }
  }

  private static String node(String id, long version) {
    return new JsonObject().put("node_id", id).put("aura_id", "@a.aura").put("device_id", "d-" + id)
      .put("node_type", "peer").put("device_type", "phone").put("address", "198.51.100.7:4000")
      .put("nat_type", "full_cone").put("bandwidth_mbps", 10.0).put("max_connections", 4)
      .put("version", version).encode();
  }
}
