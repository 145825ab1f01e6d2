package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.cluster.ClusterManagers;
import io.auralink.comm.platform.config.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Hazelcast's open-source edition lets any process that reaches its port and knows the cluster name join the
 * membership. Such a process cannot use the event bus (TLS with client certificates from the cluster CA), but it
 * sits among the members. So each member opens a TLS connection to the event bus of every member it sees join (and
 * of those there at its own start), presenting its certificate and verifying the other's against the cluster CA;
 * one that cannot complete the handshake is reported: an error log line and the counter
 * {@code auralink_cluster_untrusted_members_total}. It cannot be expelled: the Hazelcast port must stay private.
 */
public final class MemberProbe {

  private static final Logger LOG = LoggerFactory.getLogger(MemberProbe.class);
  /** A joining member publishes its event-bus address a moment after it joins Hazelcast. */
  private static final long RETRY_MS = 500;
  private static final int ATTEMPTS = 60;

  private final Vertx vertx;
  private final Context context;
  private final ClusterManager cluster;
  private final NetClient client;
  private final Counter untrusted;

  private MemberProbe(Vertx vertx, ClusterManager cluster, NetClient client, Counter untrusted) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.cluster = cluster;
    this.client = client;
    this.untrusted = untrusted;
  }

  public static void start(Vertx vertx, ClusterManager cluster, Transport.ClusterTls tls, MeterRegistry metrics) {
    NetClientOptions options = new NetClientOptions().setConnectTimeout(5_000).setHostnameVerificationAlgorithm("HTTPS");
    TlsPolicy.applyCluster(options, tls);
    MemberProbe probe = new MemberProbe(vertx, cluster, vertx.createNetClient(options),
      Counter.builder("auralink.cluster.untrusted.members")
        .description("Members seen in Hazelcast whose event bus did not present a certificate of the cluster CA")
        .register(metrics));
    ClusterManagers.onMemberJoined(cluster, nodeId -> probe.context.runOnContext(v -> probe.check(nodeId, ATTEMPTS)));
    cluster.getNodes().stream().filter(nodeId -> !nodeId.equals(cluster.getNodeId()))
      .forEach(nodeId -> probe.context.runOnContext(v -> probe.check(nodeId, ATTEMPTS)));
  }

  private void check(String nodeId, int attemptsLeft) {
    if (!cluster.getNodes().contains(nodeId)) {
      return;
    }
    Promise<NodeInfo> info = Promise.promise();
    cluster.getNodeInfo(nodeId, info);
    info.future().onComplete(found -> {
      if (found.failed() || found.result() == null) {
        if (attemptsLeft > 1) {
          vertx.setTimer(RETRY_MS, id -> check(nodeId, attemptsLeft - 1));
        } else {
          report(nodeId, "?", 0, "it published no event-bus address");
        }
        return;
      }
      NodeInfo node = found.result();
      client.connect(node.port(), node.host())
        .onSuccess(socket -> socket.close())
        .onFailure(e -> {
          if (cluster.getNodes().contains(nodeId)) {
            report(nodeId, node.host(), node.port(), String.valueOf(e.getMessage()));
          }
        });
    });
  }

  private void report(String nodeId, String host, int port, String reason) {
    untrusted.increment();
    LOG.error("a cluster member has no certificate of the cluster CA: it cannot use the event bus, but it joined "
        + "Hazelcast, whose port must be reachable by members only {} {} {} {}", kv("member", nodeId),
      kv("host", host), kv("port", port), kv("error", reason));
  }
}
