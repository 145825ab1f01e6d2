package io.auralink.comm.platform;

import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.cluster.FaultReport;
import io.auralink.comm.testing.cluster.MixedLoad;
import io.auralink.comm.testing.cluster.NodeProcess;
import io.auralink.comm.testing.cluster.ProcessCluster;
import io.auralink.comm.testing.cluster.Readback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster under faults, as separate processes: three members of the real node (the packaged jar in the
 * end-to-end run) sharing a PostgreSQL and a Redis of their own, under a bounded mixed load over all members, faulted
 * one way at a time; afterwards every acknowledged write is read back through every member (nodes from each member's
 * own graph). Short by default (each fault a few seconds; the build's end-to-end run); {@code bench/reliability.sh}
 * runs the long form with {@code -Dfaults.seconds}, {@code -Dfaults.freeze.seconds}, {@code -Dfaults.load.seconds}
 * and {@code -Dfaults.report}, which collects each fault's figures for RELIABILITY.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsTest {

  private static final int MEMBERS = Integer.getInteger("faults.members", 3);
  private static final Duration FAULT = Duration.ofSeconds(Integer.getInteger("faults.seconds", 3));
  private static final Duration LOAD = Duration.ofSeconds(Integer.getInteger("faults.load.seconds", 3));
  private static final int CLIENTS = Integer.getInteger("faults.clients", 4);
  /**
   * The longest a failed request may wait. The target is 1 s (a member's departure fails its requests at once);
   * the bound asserted here leaves room for a shared 2-core machine and still catches a wait for the event-bus
   * timeout (10 s). The measured figure is reported.
   */
  private static final long MAX_FAILURE_WAIT_MILLIS = Long.getLong("faults.max.failure.wait.ms", 3000);
  /** Hazelcast notices a killed member in well under a second; a hung one after 5 s (cluster.xml): the bound. */
  private static final long DETECTION_MILLIS = 5_000;
  /** After healing, how long every acknowledged write may take to be in every member. */
  private static final Duration CONVERGENCE = Duration.ofSeconds(10);

  private static ProcessCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = ProcessCluster.start(MEMBERS, TestStores.tempDir(), Duration.ofSeconds(120));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void kill_9_of_one_member_loses_no_acknowledged_write_and_fails_only_its_own_requests_quickly() {
    int victimIndex = MEMBERS - 1;
    NodeProcess victim = cluster.member(victimIndex);
    try (MixedLoad load = new MixedLoad(cluster.members()).seed(12)) {
      load.start(CLIENTS);
      pause(LOAD);
      long killedAt = System.nanoTime();
      victim.kill();
      load.takeOutOfRotation(victimIndex);
      pause(FAULT);
      victim.start();
      Duration toReady = victim.awaitReady(Duration.ofSeconds(120));
      load.putInRotation(victimIndex);
      pause(LOAD);
      load.stop();

      List<MixedLoad.Failure> failures = load.failures();
      Readback.Result readback = Readback.everyWrite(load, allMembers(), CONVERGENCE);
      FaultReport report = new FaultReport("kill -9 of 1 of " + MEMBERS, load.requests(), load.acknowledgedWrites(),
        readback.lost(), failures.size(), FaultReport.maxWaitMillis(failures),
        "restarted member ready in " + millis(toReady) + " ms",
        "failures " + FaultReport.byMemberAndCode(failures) + "; other answers " + load.unexpected()).appendToReport();

      assertEquals(0, readback.lost(), "acknowledged writes missing after the kill: " + readback.missing());
      for (MixedLoad.Failure failure : failures) {
        long sinceKillMillis = (failure.atNanos() - killedAt) / 1_000_000;
        assertTrue(failure.atNanos() + failure.waitedNanos() >= killedAt,
          "a request failed before the kill: " + failure);
        // A survivor fails only what it had sent to the killed member before the cluster noticed (MEMBER_LEFT, or
        // a domain naming the registry that did not answer: the registry was on the killed member).
        assertTrue(failure.member().equals(victim.name())
            || failure.status() == 503 && Set.of("MEMBER_LEFT", "IDENTITY_UNAVAILABLE").contains(failure.code())
            && sinceKillMillis < DETECTION_MILLIS,
          "a survivor failed a request other than one in flight to the killed member, " + sinceKillMillis
            + " ms after the kill: " + failure);
      }
      assertTrue(report.maxFailureWaitMillis() <= MAX_FAILURE_WAIT_MILLIS,
        "a failed request waited " + report.maxFailureWaitMillis() + " ms: " + report.row());
    }
  }

  @Test
  @Order(2)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void postgresql_stopped_answers_only_503s_recovers_and_keeps_every_route_answer() {
    Set<String> outageCodes = Set.of("DATABASE_UNAVAILABLE", "IDENTITY_UNAVAILABLE", "SERVICE_UNAVAILABLE",
      "OVERLOADED");
    try (MixedLoad load = new MixedLoad(cluster.members()).seed(12)) {
      load.start(CLIENTS);
      pause(LOAD);
      cluster.stores().stopPostgres();
      pause(FAULT);
      cluster.stores().startPostgres();
      long back = System.nanoTime();
      AtomicInteger probes = new AtomicInteger();
      while (!registers(load, probes.getAndIncrement() % MEMBERS)) {
        assertTrue(System.nanoTime() - back < Duration.ofSeconds(30).toNanos(), "no registration succeeds again");
        pause(Duration.ofMillis(20));
      }
      long recoveredMillis = (System.nanoTime() - back) / 1_000_000;
      pause(LOAD);
      load.stop();

      List<MixedLoad.Failure> failures = load.failures();
      Readback.Result readback = Readback.everyWrite(load, allMembers(), CONVERGENCE);
      List<String> unrecorded = routesWithoutRecord(load);
      FaultReport report = new FaultReport("PostgreSQL stopped " + FAULT.toSeconds() + " s", load.requests(),
        load.acknowledgedWrites(), readback.lost(), failures.size(), FaultReport.maxWaitMillis(failures),
        "writes succeed " + recoveredMillis + " ms after it is back",
        load.routes().size() + " route answers, " + unrecorded.size() + " without their record; failures "
          + FaultReport.byMemberAndCode(failures) + "; other answers " + load.unexpected()).appendToReport();

      assertEquals(0, readback.lost(), "acknowledged writes missing after the outage: " + readback.missing());
      for (MixedLoad.Failure failure : failures) {
        assertTrue(failure.status() == 503 && outageCodes.contains(failure.code()),
          "an outage is a 503 naming it: " + failure);
      }
      assertEquals(List.of(), unrecorded, "route answers given during the outage are recorded once it is back");
      assertTrue(recoveredMillis <= 5_000, "writes succeed again " + recoveredMillis + " ms after PostgreSQL");
    }
  }

  @Test
  @Order(3)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void redis_stopped_fails_no_request_and_every_member_stays_ready() {
    try (MixedLoad load = new MixedLoad(cluster.members()).seed(6)) {
      load.start(CLIENTS);
      pause(LOAD);
      cluster.stores().stopRedis();
      long until = System.nanoTime() + FAULT.toNanos();
      int readinessChecks = 0;
      int unready = 0;
      while (System.nanoTime() < until) {
        for (NodeProcess member : cluster.members()) {
          readinessChecks++;
          if (ProcessCluster.readiness(member) != 200) {
            unready++;
          }
        }
        pause(Duration.ofMillis(250));
      }
      cluster.stores().startRedis();
      pause(LOAD);
      load.stop();

      List<MixedLoad.Failure> failures = load.failures();
      Readback.Result readback = Readback.everyWrite(load, allMembers(), CONVERGENCE);
      new FaultReport("Redis stopped " + FAULT.toSeconds() + " s", load.requests(), load.acknowledgedWrites(),
        readback.lost(), failures.size(), FaultReport.maxWaitMillis(failures),
        unready + " of " + readinessChecks + " readiness checks not 200",
        "failures " + FaultReport.byMemberAndCode(failures) + "; other answers " + load.unexpected()).appendToReport();

      assertEquals(0, readback.lost(), "acknowledged writes missing after the Redis outage: " + readback.missing());
      assertEquals(List.of(), failures, "Redis is expendable: no request fails without it");
      assertEquals(0, unready, "readiness stays 200 (degraded) without Redis");
    }
  }

  @Test
  @Order(4)
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void a_frozen_member_resumed_into_a_minority_is_unready_refuses_writes_and_heals_with_every_write() {
    int frozenIndex = MEMBERS - 1;
    NodeProcess frozen = cluster.member(frozenIndex);
    int minimum = MEMBERS / 2 + 1;
    // Long enough for the others to expel it (5 s without heartbeats, cluster.xml).
    Duration freeze = Duration.ofSeconds(Integer.getInteger("faults.freeze.seconds", 8));
    try (MixedLoad load = new MixedLoad(cluster.members()).seed(6)) {
      load.start(CLIENTS);
      pause(LOAD);
      frozen.freeze();
      load.takeOutOfRotation(frozenIndex);
      pause(freeze);
      frozen.resume();
      long resumedAt = System.nanoTime();
      long unreadyAfterMillis = -1;
      long readyWithFewer = 0;
      int minorityWrite = -1;
      String minorityCode = "";
      long deadline = resumedAt + Duration.ofSeconds(90).toNanos();
      while (true) {
        boolean healed = true;
        for (NodeProcess member : cluster.members()) {
          ProcessCluster.Readiness readiness = ProcessCluster.readinessReport(member);
          if (readiness.status() == 200 && readiness.members() >= 0 && readiness.members() < minimum) {
            readyWithFewer++;
          }
          healed &= readiness.status() == 200 && readiness.members() == MEMBERS;
          if (member == frozen && readiness.status() == 503 && unreadyAfterMillis < 0) {
            unreadyAfterMillis = (System.nanoTime() - resumedAt) / 1_000_000;
            String username = "minority_" + (System.nanoTime() % 100_000_000);
            MixedLoad.Response write = load.call(frozenIndex, "POST", "/internal/auraid", load.registrar(),
              new io.vertx.core.json.JsonObject().put("username", username).put("user_id", "acct-" + username));
            minorityWrite = write.status();
            minorityCode = write.code();
          }
        }
        if (healed) {
          break;
        }
        assertTrue(System.nanoTime() < deadline, "the cluster did not heal within 90 s of the resume");
        pause(Duration.ofMillis(100));
      }
      long healedMillis = (System.nanoTime() - resumedAt) / 1_000_000;
      load.putInRotation(frozenIndex);
      pause(LOAD);
      load.stop();

      List<MixedLoad.Failure> failures = load.failures();
      Readback.Result readback = Readback.everyWrite(load, allMembers(), CONVERGENCE);
      new FaultReport("SIGSTOP " + freeze.toSeconds() + " s of 1 of " + MEMBERS, load.requests(),
        load.acknowledgedWrites(), readback.lost(), failures.size(), FaultReport.maxWaitMillis(failures),
        "unready " + unreadyAfterMillis + " ms after resume; healed (all ready, " + MEMBERS + " members) "
          + healedMillis + " ms after; read back in " + readback.took().toMillis() + " ms",
        "a write to it while unready: " + minorityWrite + " " + minorityCode + "; ready with fewer than " + minimum
          + " members: " + readyWithFewer + "; failures " + FaultReport.byMemberAndCode(failures) + "; other answers "
          + load.unexpected()).appendToReport();

      assertEquals(0, readback.lost(), "acknowledged writes missing from a member's graph after healing: "
        + readback.missing());
      assertEquals(0, readyWithFewer, "no member is ready with fewer than the minimum members");
      if (unreadyAfterMillis >= 0) {
        assertTrue(unreadyAfterMillis <= 5_000, "unready " + unreadyAfterMillis + " ms after the resume");
        assertTrue(minorityWrite == 503 && "CLUSTER_MINORITY".equals(minorityCode) || minorityWrite == 201,
          "a write to the cut-off member is refused as CLUSTER_MINORITY (or accepted once it rejoined): "
            + minorityWrite + " " + minorityCode);
      }
    }
  }

  private static boolean registers(MixedLoad load, int member) {
    String username = "probe_" + (System.nanoTime() % 100_000_000);
    return load.call(member, "POST", "/internal/auraid", load.registrar(), new io.vertx.core.json.JsonObject()
      .put("username", username).put("user_id", "acct-" + username)).status() == 201;
  }

  /** Route answers still without a record once every member has flushed (a flush a second; a few to be sure). */
  private static List<String> routesWithoutRecord(MixedLoad load) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<String> without = Readback.routesWithoutRecord(cluster.stores().databaseUrl(), load.routes());
    while (!without.isEmpty() && System.nanoTime() < deadline) {
      pause(Duration.ofMillis(250));
      without = Readback.routesWithoutRecord(cluster.stores().databaseUrl(), load.routes());
    }
    return without;
  }

  private static List<Integer> allMembers() {
    return IntStream.range(0, MEMBERS).boxed().toList();
  }

  private static long millis(Duration duration) {
    return duration.toMillis();
  }

  /** The load runs meanwhile: this is the length of a phase, not a wait for something to happen. */
  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
