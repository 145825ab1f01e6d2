package io.auralink.comm.platform.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.NetworkConfig;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.FileNotFoundException;

/**
 * Builds the Hazelcast cluster manager from {@code cluster.xml} (on the classpath, or the file named by
 * {@code AURALINK_CLUSTER_CONFIG}) with the name, members, interface and port taken from configuration; it listens
 * on that interface alone.
 * Parsing the XML blocks briefly: this runs once, before Vert.x exists.
 */
public final class ClusterManagers {

  private ClusterManagers() {
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
    return config;
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
