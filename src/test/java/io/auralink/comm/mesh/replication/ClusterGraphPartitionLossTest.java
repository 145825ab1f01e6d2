package io.auralink.comm.mesh.replication;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.auralink.comm.platform.cluster.ClusterManagers;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The graph hears of lost partitions only when its maps really lost entries, and names them: a member dying while
 * its backups live elsewhere loses nothing and says nothing; two of three dying at once lose the partitions whose
 * owner and backup were both theirs. Plain Hazelcast members with the node's configuration (one backup per map).
 */
class ClusterGraphPartitionLossTest {

  private static final int ENTRIES = 600;

  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stopMembers() {
    members.forEach(member -> member.getLifecycleService().terminate());
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void a_member_dying_while_its_backups_live_loses_nothing_and_reports_nothing() {
    startMembers(2);
    HazelcastInstance survivor = members.get(0);
    ClusterGraph graph = new ClusterGraph(survivor);
    AtomicInteger lostEvents = new AtomicInteger();
    graph.onPartitionLost(lostEvents::incrementAndGet);
    IMap<String, String> nodes = fill(survivor);

    members.get(1).getLifecycleService().terminate();
    Await.until(Duration.ofSeconds(20), "the survivor sees itself alone and safe",
      () -> survivor.getCluster().getMembers().size() == 1 && survivor.getPartitionService().isClusterSafe());

    assertEquals(ENTRIES, nodes.size(), "the backups took over");
    assertEquals(0, lostEvents.get());
    assertTrue(graph.takeLostPartitions().isEmpty());
    graph.stopListening();
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void two_of_three_members_dying_at_once_name_the_partitions_the_graph_lost() throws InterruptedException {
    startMembers(3);
    HazelcastInstance survivor = members.get(0);
    ClusterGraph graph = new ClusterGraph(survivor);
    AtomicInteger lostEvents = new AtomicInteger();
    graph.onPartitionLost(lostEvents::incrementAndGet);
    IMap<String, String> nodes = fill(survivor);

    List<Thread> crashes = members.subList(1, 3).stream()
      .map(member -> new Thread(() -> member.getLifecycleService().terminate())).toList();
    crashes.forEach(Thread::start);
    for (Thread crash : crashes) {
      crash.join();
    }
    Await.until(Duration.ofSeconds(20), "the survivor hears of lost partitions", () -> lostEvents.get() > 0);
    // One event per lost partition and map, arriving one after the other: take them once they have all come.
    int[] seen = {-1, 0}; // the last count, and for how many polls in a row (0.1 s apart) it has not changed
    Await.until(Duration.ofSeconds(20), "the lost-partition events to stop coming", () -> {
      int now = lostEvents.get();
      seen[1] = now == seen[0] ? seen[1] + 1 : 0;
      seen[0] = now;
      return seen[1] >= 5;
    });

    Map<String, List<Integer>> lost = graph.takeLostPartitions();
    List<Integer> lostNodes = lost.get(ClusterGraph.NODES);
    assertFalse(lostNodes == null || lostNodes.isEmpty(), "names the nodes map's lost partitions: " + lost);
    assertTrue(nodes.size() < ENTRIES, "entries were really lost");
    assertTrue(graph.takeLostPartitions().isEmpty(), "taking them forgets them");
    graph.stopListening();
  }

  private void startMembers(int count) {
    String name = "partition-test-" + UUID.randomUUID();
    List<Integer> ports = IntStream.range(0, count).mapToObj(i -> EmbeddedStores.freePort()).toList();
    List<String> addresses = ports.stream().map(port -> "127.0.0.1:" + port).toList();
    for (int port : ports) {
      AppConfig.Cluster settings = new AppConfig.Cluster(name, addresses, "127.0.0.1", port, Optional.empty(), 1);
      members.add(Hazelcast.newHazelcastInstance(ClusterManagers.hazelcastConfig(settings)));
    }
    Await.until(Duration.ofSeconds(30), "all members joined and safe",
      () -> members.get(0).getCluster().getMembers().size() == count
        && members.get(0).getPartitionService().isClusterSafe());
  }

  /** Entries in every partition of the nodes map, with their backups in place. */
  private IMap<String, String> fill(HazelcastInstance member) {
    IMap<String, String> nodes = member.getMap(ClusterGraph.NODES);
    IntStream.range(0, ENTRIES).forEach(i -> nodes.put("node-" + i, "{}"));
    Await.until(Duration.ofSeconds(20), "backups in place", () -> member.getPartitionService().isClusterSafe());
    return nodes;
  }
}
