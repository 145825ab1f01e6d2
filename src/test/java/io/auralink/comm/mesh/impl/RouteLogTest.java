package io.auralink.comm.mesh.impl;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.storage.Database;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The route log while PostgreSQL is unavailable (a server address nothing listens on: connections refused, as
 * with a stopped server): a batch that cannot be written goes back to wait for the next flush, the buffer stays
 * within its capacity by dropping the oldest routes, and the drops are counted in
 * {@code auralink_mesh_routes_unrecorded_total{reason=buffer_full}}. (That the waiting routes are written when
 * PostgreSQL returns is shown against a real server by DatabaseOutageTest and ClusterFaultsTest.)
 */
class RouteLogTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void routes_wait_while_postgresql_is_unavailable_and_the_oldest_are_dropped_and_counted_when_full() {
    Pool unreachable = Database.createPool(vertx, AppConfig.Database.from(Settings.of(Map.of(
      AppConfig.Database.URL, "postgresql://postgres@127.0.0.1:" + EmbeddedStores.freePort() + "/postgres",
      "AURALINK_DATABASE_CONNECT_TIMEOUT", "500ms"))));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    RouteLog log = new RouteLog(new MeshStore(unreachable), 3, metrics);
    List<MeshStore.ChosenRoute> routes = IntStream.range(0, 5).mapToObj(i -> route()).toList();
    Context loop = vertx.getOrCreateContext();

    // The mesh verticle uses its log on one event loop; so does the test.
    onLoop(loop, () -> {
      routes.forEach(log::add);
      return Future.succeededFuture();
    });
    assertEquals(routes.subList(2, 5), onLoop(loop, () -> Future.succeededFuture(log.waiting())),
      "the newest three wait, the oldest two were dropped");
    assertEquals(2.0, dropped(metrics));

    onLoop(loop, log::flush);
    assertEquals(routes.subList(2, 5), onLoop(loop, () -> Future.succeededFuture(log.waiting())),
      "a batch PostgreSQL could not take waits for the next flush");
    assertEquals(2.0, dropped(metrics), "nothing more dropped");

    MeshStore.ChosenRoute later = route();
    onLoop(loop, () -> {
      log.add(later);
      return Future.succeededFuture();
    });
    assertEquals(List.of(routes.get(3), routes.get(4), later),
      onLoop(loop, () -> Future.succeededFuture(log.waiting())), "still the newest three");
    assertEquals(3.0, dropped(metrics));
  }

  private static double dropped(SimpleMeterRegistry metrics) {
    return metrics.counter("auralink_mesh_routes_unrecorded_total", "reason", "buffer_full").count();
  }

  private static <T> T onLoop(Context loop, Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> action.get().onComplete(done));
    return Await.result(done.future());
  }

  private static MeshStore.ChosenRoute route() {
    return new MeshStore.ChosenRoute(UUID.randomUUID(), "@a.aura", "@b.aura", "audio", false, 4, List.of(),
      new JsonObject().put("mos", 4.1), 88.0);
  }
}
