package io.auralink.comm.platform.cluster;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.platform.tls.TlsPolicy;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestCertificates;
import io.auralink.comm.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The event bus between members runs over TLS with client authentication from the cluster CA. Hazelcast's open
 * source edition cannot keep a process with the cluster's name out of the membership, so the test lets strangers
 * join it and checks what matters: without a certificate from the cluster CA (none, or one from another CA) a
 * process can neither deliver to our addresses nor receive what we send to its own; with one, both work.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterTlsTest {

  private static final String INBOX = "cluster-tls-test.inbox";

  private static TestCertificates clusterCa;
  private static Node node;
  private static String clusterName;
  private static int nodePort;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private Vertx other;

  @BeforeAll
  static void startNode() {
    clusterCa = TestCertificates.newAuthority("auralink-cluster-ca");
    TestCertificates.Files member = clusterCa.member("node-a");
    clusterName = "auralink-test-" + UUID.randomUUID();
    nodePort = EmbeddedStores.freePort();
    Map<String, String> settings = TestNodes.settings("cluster_tls", clusterName, nodePort, null);
    settings.put("AURALINK_CLUSTER_TLS_CERT", member.cert().toString());
    settings.put("AURALINK_CLUSTER_TLS_KEY", member.key().toString());
    settings.put("AURALINK_CLUSTER_TLS_CA", clusterCa.caFile().toString());
    node = TestNodes.start(settings);
    Await.result(node.vertx().eventBus().<String>consumer(INBOX, message -> {
      received.add(message.body());
      message.reply("got " + message.body());
    }).completion());
  }

  @AfterAll
  static void stopNode() {
    TestNodes.stop(node);
  }

  @AfterEach
  void stopOther() {
    if (other != null) {
      Await.result(other.close(), Duration.ofSeconds(60));
    }
  }

  @Test
  void a_member_with_a_cluster_certificate_talks_both_ways() {
    double reportedBefore = untrustedReported();
    other = join(Optional.of(clusterCa.member("node-b")), clusterCa);
    assertEquals("got hello", Await.result(other.eventBus().<String>request(INBOX, "hello",
      new DeliveryOptions().setSendTimeout(10_000))).body());
    String address = "cluster-tls-test.member-" + UUID.randomUUID();
    Await.result(other.eventBus().<String>consumer(address, message -> message.reply("member got it")).completion());
    Await.until(Duration.ofSeconds(20), "our node reaches the member's consumer", () -> {
      try {
        return "member got it".equals(Await.result(node.vertx().eventBus().<String>request(address, "ping",
          new DeliveryOptions().setSendTimeout(2_000))).body());
      } catch (RuntimeException notYet) {
        return false;
      }
    });
    assertEquals(reportedBefore, untrustedReported(), "a member with a cluster certificate is not reported");
  }

  @Test
  void a_process_without_a_certificate_can_neither_send_nor_receive() {
    double reportedBefore = untrustedReported();
    other = join(Optional.empty(), null);
    assertStrangerIsCutOff("plain", reportedBefore);
  }

  @Test
  void a_process_with_a_certificate_from_another_ca_can_neither_send_nor_receive() {
    TestCertificates foreign = TestCertificates.newAuthority("someone-elses-cluster-ca");
    double reportedBefore = untrustedReported();
    other = join(Optional.of(foreign.member("intruder")), foreign);
    assertStrangerIsCutOff("foreign", reportedBefore);
  }

  private void assertStrangerIsCutOff(String who, double reportedBefore) {
    HazelcastClusterManager ours = (HazelcastClusterManager) node.platform().cluster();
    assertTrue(ours.getNodes().size() >= 2, "the stranger joined Hazelcast (its open source edition allows it)");

    String body = who + "-" + UUID.randomUUID();
    Throwable refused = Await.failure(other.eventBus().request(INBOX, body, new DeliveryOptions().setSendTimeout(3_000)));
    assertTrue(refused != null);
    assertTrue(received.stream().noneMatch(body::equals), "our consumer received the stranger's message");

    String address = "cluster-tls-test.stranger-" + UUID.randomUUID();
    List<String> stolen = new CopyOnWriteArrayList<>();
    Await.result(other.eventBus().<String>consumer(address, message -> {
      stolen.add(message.body());
      message.reply("stranger got it");
    }).completion());
    for (int attempt = 0; attempt < 3; attempt++) {
      Await.failure(node.vertx().eventBus().request(address, "secret", new DeliveryOptions().setSendTimeout(2_000)));
    }
    assertEquals(List.of(), stolen, "the stranger received what our node sent");
    Await.until(Duration.ofSeconds(30), "our node reports the member without a cluster certificate",
      () -> untrustedReported() > reportedBefore);
  }

  private static double untrustedReported() {
    io.micrometer.core.instrument.Counter counter = node.platform().metrics()
      .find("auralink.cluster.untrusted.members").counter();
    return counter == null ? 0 : counter.count();
  }

  /** A bare clustered Vert.x in our cluster, its event bus with this member certificate (or none) and CA. */
  private static Vertx join(Optional<TestCertificates.Files> certificate, TestCertificates ca) {
    int port = EmbeddedStores.freePort();
    AppConfig.Cluster cluster = new AppConfig.Cluster(clusterName, List.of("127.0.0.1:" + nodePort), "127.0.0.1",
      port, Optional.empty(), 1);
    EventBusOptions eventBus = new EventBusOptions().setHost("127.0.0.1").setPort(0).setClusterPublicHost("127.0.0.1");
    certificate.ifPresent(files -> {
      TlsPolicy.applyCluster(eventBus, new Transport.ClusterTls(files.cert(), files.key(), ca.caFile()));
      eventBus.setClientAuth(ClientAuth.REQUIRED);
    });
    return Await.result(Vertx.builder()
      .with(new VertxOptions().setEventBusOptions(eventBus))
      .withClusterManager(new HazelcastClusterManager(ClusterManagers.hazelcastConfig(cluster)))
      .buildClustered(), Duration.ofSeconds(90));
  }
}
