package io.auralink.comm.platform.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.FileNotFoundException;
import java.util.function.Consumer;

/**
 * Builds the Hazelcast cluster manager from {@code cluster.xml} (on the classpath, or the file named by
 * {@code AURALINK_CLUSTER_CONFIG}) with the name, members, interface and port taken from configuration; it listens
 * on that interface alone.
 * Parsing the XML blocks briefly: this runs once, before Vert.x exists.
 */
public final class ClusterManagers {

  /** Hazelcast's split-brain protection guarding the mesh maps' writes (see {@link MinimumMembersOnceFormed}). */
  public static final String MESH_PROTECTION = "auralink-mesh-majority";
  /** The mesh maps (cluster.xml configures them under this pattern). */
  private static final String MESH_MAPS = "auralink.mesh.*";

  /** The member attribute in which vertx-hazelcast keeps a member's Vert.x node id. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private ClusterManagers() {
  }

  /**
   * Calls {@code left} with the node id of every member that leaves the cluster (killed or cut off included), on
   * a Hazelcast event thread. Vert.x keeps the cluster manager's one node listener for itself, hence Hazelcast's.
   */
  public static void onMemberLeft(ClusterManager cluster, Consumer<String> left) {
    ((HazelcastClusterManager) cluster).getHazelcastInstance().getCluster()
      .addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
          // Vert.x's node id is a member attribute of its own, not the Hazelcast member's UUID.
          String nodeId = event.getMember().getAttribute(VERTX_NODE_ID);
          if (nodeId != null) {
            left.accept(nodeId);
          }
        }
      });
  }

  /** Calls {@code joined} with the Vert.x node id of every member that joins after now, on a Hazelcast thread. */
  public static void onMemberJoined(ClusterManager cluster, Consumer<String> joined) {
    ((HazelcastClusterManager) cluster).getHazelcastInstance().getCluster()
      .addMembershipListener(new MembershipListener() {
        @Override
        public void memberAdded(MembershipEvent event) {
          String nodeId = event.getMember().getAttribute(VERTX_NODE_ID);
          if (nodeId != null) {
            joined.accept(nodeId);
          }
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
        }
      });
  }

  public static HazelcastClusterManager create(AppConfig.Cluster cluster) {
    return new HazelcastClusterManager(hazelcastConfig(cluster));
  }

  public static Config hazelcastConfig(AppConfig.Cluster cluster) {
    Config config = load(cluster);
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Listen on the configured interface only: Hazelcast binds to every interface (0.0.0.0) unless told not to,
    // whatever the interfaces section says, and a replacement cluster.xml must not bring that back.
    config.setProperty("hazelcast.socket.bind.any", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).clear().addInterface(cluster.host());
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getAutoDetectionConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    protectMeshMaps(config, cluster.minimumMembers());
    return config;
  }

  /**
   * A member cut off into a minority has its mesh map writes refused by Hazelcast too
   * ({@code SplitBrainProtectionException}, answered 503 {@code CLUSTER_MINORITY}), not only by the API's guard:
   * a write that slips past the guard (a request accepted just before the cut) cannot change the minority's maps.
   * Off for a minimum of one member (a single-node cluster).
   */
  private static void protectMeshMaps(Config config, int minimumMembers) {
    if (minimumMembers <= 1) {
      return;
    }
    config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(MESH_PROTECTION, true, minimumMembers)
      .setProtectOn(SplitBrainProtectionOn.WRITE)
      .setFunctionImplementation(new MinimumMembersOnceFormed(minimumMembers)));
    config.getMapConfig(MESH_MAPS).setSplitBrainProtectionName(MESH_PROTECTION);
  }

  private static Config load(AppConfig.Cluster cluster) {
    if (cluster.configFile().isPresent()) {
      try {
        return new FileSystemXmlConfig(cluster.configFile().get().toFile());
      } catch (FileNotFoundException e) {
        throw new ConfigException("AURALINK_CLUSTER_CONFIG", "names a missing file: " + cluster.configFile().get());
      }
    }
    return new ClasspathXmlConfig("cluster.xml");
  }
}
