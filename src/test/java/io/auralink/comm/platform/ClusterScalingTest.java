package io.auralink.comm.platform;

import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.cluster.MixedLoad;
import io.auralink.comm.testing.cluster.NodeProcess;
import io.auralink.comm.testing.cluster.ProcessCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long form's scaling figures (bench/reliability.sh, {@code -Dfaults.scaling=true}): the same bounded mixed
 * load against clusters of 1, 2 and 3 member processes, and how long the survivors of a cluster of 3 take to
 * notice a member killed with {@code kill -9}. Rows go to {@code -Dfaults.scaling.report}. Not part of the build:
 * it measures, it does not check a property (beyond the load being served).
 */
@EnabledIfSystemProperty(named = "faults.scaling", matches = "true")
class ClusterScalingTest {

  private static final Duration LOAD = Duration.ofSeconds(Integer.getInteger("faults.load.seconds", 15));
  private static final int CLIENTS = Integer.getInteger("faults.clients", 4);

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void throughput_of_1_2_and_3_members_and_the_time_to_detect_a_killed_member() {
    for (int size = 1; size <= 3; size++) {
      try (ProcessCluster cluster = ProcessCluster.start(size, TestStores.tempDir(), Duration.ofSeconds(180));
           MixedLoad load = new MixedLoad(cluster.members()).seed(12)) {
        load.start(CLIENTS);
        pause(Duration.ofSeconds(5)); // warm-up
        long before = load.requests();
        long start = System.nanoTime();
        pause(LOAD);
        long served = load.requests() - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        String detection = "—";
        if (size == 3) {
          NodeProcess victim = cluster.member(2);
          load.takeOutOfRotation(2);
          long killed = System.nanoTime();
          victim.kill();
          while (ProcessCluster.readinessReport(cluster.member(0)).members() != 2
            || ProcessCluster.readinessReport(cluster.member(1)).members() != 2) {
            assertTrue(System.nanoTime() - killed < Duration.ofSeconds(60).toNanos(), "the kill is never noticed");
            pause(Duration.ofMillis(20));
          }
          detection = (System.nanoTime() - killed) / 1_000_000 + " ms";
        }
        load.stop();
        row("| " + size + " | " + CLIENTS + " | " + Math.round(served / seconds) + " | " + load.failures().size()
          + " | " + detection + " |");
        assertTrue(served > 0, "the load was served");
      }
    }
  }

  private static void row(String row) {
    System.out.println("scaling: " + row);
    String file = System.getProperty("faults.scaling.report");
    if (file != null && !file.isBlank()) {
      try {
        Files.writeString(Path.of(file), row + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
