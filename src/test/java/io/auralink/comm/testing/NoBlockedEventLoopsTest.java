package io.auralink.comm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** The suite's guard works: a test class that blocks an event loop fails, even when all its tests pass. */
class NoBlockedEventLoopsTest {

  @Test
  void a_class_that_blocks_an_event_loop_fails() {
    Events containers = EngineTestKit.engine("junit-jupiter")
      .selectors(selectClass(BlocksAnEventLoop.class))
      // The test kit does not read junit-platform.properties: switch on the same auto-detection as the build.
      .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
      .execute()
      .containerEvents();

    assertEquals(1, containers.failed().count(), "the class itself fails");
    String reason = containers.failed().stream().findFirst().orElseThrow().getPayload(
      org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage();
    assertTrue(reason.contains("an event loop was blocked"), reason);
    assertTrue(BlockedThreadRecorder.isEmpty(), "the guard consumed the warning");
  }

  /** Not run by the build on its own (a nested class): run above through the test kit. */
  static class BlocksAnEventLoop {

    @Test
    void blocks_the_event_loop_for_half_a_second() throws Exception {
      Vertx vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
      try {
        Await.result(vertx.getOrCreateContext().<Void>executeBlocking(() -> null)
          .compose(v -> vertx.<Void>timer(1).mapEmpty())
          .map(v -> {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < until) {
              Thread.onSpinWait();
            }
            return null;
          }));
      } finally {
        Await.result(vertx.close());
      }
    }
  }
}
