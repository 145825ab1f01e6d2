package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One limit driven through two cluster members at once, as fast as they answer (well beyond the quota): the members
 * share the quota through Redis, so in no window of the quota's length is more than the quota admitted, and nothing
 * the quota allows is refused (under-admission within 1 %). Both are judged from the client's timings alone.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterRateLimitTest {

  private static final int QUOTA = 40;
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** Two and a half windows: the quota is spent, freed and spent again, on a busy machine too. */
  private static final long RUN_NANOS = WINDOW_NANOS * 5 / 2;
  private static final int LOOPS_PER_MEMBER = 4;

  private static Node first;
  private static Node second;
  private static Vertx clients;

  /** One request as the client saw it: when it was sent and answered, by which member, with which status. */
  private record Sample(long sentNanos, long answeredNanos, int member, int status) {
  }

  @BeforeAll
  static void startTwoMembers() {
    String cluster = "auralink-test-" + UUID.randomUUID();
    int firstPort = EmbeddedStores.freePort();
    int secondPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    first = TestNodes.start(settings("rate_limit_cluster_a", cluster, firstPort, members));
    second = TestNodes.start(settings("rate_limit_cluster_b", cluster, secondPort, members));
    Await.until(Duration.ofSeconds(20), "both members to see each other",
      () -> first.platform().cluster().getNodes().size() == 2 && second.platform().cluster().getNodes().size() == 2);
    clients = Vertx.vertx();
  }

  private static Map<String, String> settings(String purpose, String cluster, int port, String members) {
    Map<String, String> settings = TestNodes.settings(purpose, cluster, port, members);
    settings.put("AURALINK_RATE_LIMIT_OPERATIONS", "whoami.service=" + QUOTA + "/2s");
    return settings;
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      Await.result(clients.close());
    }
    TestNodes.stop(second);
    TestNodes.stop(first);
  }

  @Test
  void two_members_admit_one_quota_between_them_exactly() {
    List<WebClient> members = List.of(client(first), client(second));
    Tokens tokens = new Tokens(clients);
    // Connections and code paths warmed up with another principal, so that the measured run starts at full speed.
    run(members, tokens.hs256(Tokens.service("rl-warmup")), TimeUnit.MILLISECONDS.toNanos(500));

    List<Sample> samples = run(members, tokens.hs256(Tokens.service("rl-cluster")), RUN_NANOS);

    assertTrue(samples.stream().allMatch(s -> s.status() == 200 || s.status() == 429),
      "every answer is admitted or refused: " + samples.stream().map(Sample::status).distinct().toList());
    List<Sample> admitted = samples.stream().filter(s -> s.status() == 200)
      .sorted(Comparator.comparingLong(Sample::sentNanos)).toList();
    List<Sample> refused = samples.stream().filter(s -> s.status() == 429).toList();
    assertTrue(admitted.stream().anyMatch(s -> s.member() == 0) && admitted.stream().anyMatch(s -> s.member() == 1),
      "both members admitted requests of the shared quota");
    assertTrue(refused.size() > QUOTA, "the run pressed the limit: " + refused.size() + " of " + samples.size()
      + " requests refused");

    // A request was admitted or refused somewhere between its sending and its answer. No window holds more than
    // the quota: the requests sent and answered within one window's length were certainly admitted within it.
    for (Sample start : admitted) {
      long windowEnd = start.sentNanos() + WINDOW_NANOS;
      long inWindow = admitted.stream()
        .filter(s -> s.sentNanos() >= start.sentNanos() && s.answeredNanos() < windowEnd).count();
      assertTrue(inWindow <= QUOTA, inWindow + " requests admitted within one window");
    }
    // Nothing the quota allows is refused: a refusal is justified only if the quota's worth of admissions may have
    // fallen in the window before it. Whatever the machine's speed, an exact limiter refuses no other request.
    long unjustified = refused.stream().filter(r -> admitted.stream()
      .filter(a -> a.answeredNanos() > r.sentNanos() - WINDOW_NANOS && a.sentNanos() < r.answeredNanos())
      .count() < QUOTA).count();
    assertTrue(unjustified <= admitted.size() / 100, unjustified + " requests refused while the window had room, "
      + "beside " + admitted.size() + " admitted: under-admission beyond 1 %");
  }

  private WebClient client(Node node) {
    return WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(node.platform().config().http().port()));
  }

  /** Keeps {@link #LOOPS_PER_MEMBER} requests in flight on each member until {@code nanos} have passed. */
  private static List<Sample> run(List<WebClient> members, String token, long nanos) {
    List<Sample> samples = new ArrayList<>();
    long end = System.nanoTime() + nanos;
    List<Future<Void>> loops = new ArrayList<>();
    for (int member = 0; member < members.size(); member++) {
      for (int i = 0; i < LOOPS_PER_MEMBER; i++) {
        Promise<Void> done = Promise.promise();
        int index = member;
        clients.runOnContext(v -> loop(members.get(index), index, token, end, samples, done));
        loops.add(done.future());
      }
    }
    Await.result(Future.all(loops), Duration.ofSeconds(60));
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  private static void loop(WebClient client, int member, String token, long end, List<Sample> samples,
                           Promise<Void> done) {
    long sent = System.nanoTime();
    if (sent >= end) {
      done.complete();
      return;
    }
    client.get("/internal/whoami").bearerTokenAuthentication(token).send().onComplete(answer -> {
      long answered = System.nanoTime();
      synchronized (samples) {
        samples.add(new Sample(sent, answered, member, answer.succeeded() ? answer.result().statusCode() : -1));
      }
      loop(client, member, token, end, samples, done);
    });
  }
}
