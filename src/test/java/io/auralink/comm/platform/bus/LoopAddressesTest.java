package io.auralink.comm.platform.bus;

import io.auralink.comm.testing.Await;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A request sent where a service is bound on the sender's own event loop stays on that thread, uncopied. */
class LoopAddressesTest {

  private static final String ADDRESS = "test.service";
  private static final int LOOPS = 2;

  private Vertx vertx;
  private LoopAddresses loops;
  /** Bodies as sent, by id, to tell a hand-over from a copy. */
  private final Map<String, JsonObject> sent = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(LOOPS));
    loops = new LoopAddresses(vertx);
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  /** Answers with the thread it ran on and whether it got the very object that was sent. */
  private final class Service extends VerticleBase {
    @Override
    public Future<?> start() {
      vertx.eventBus().<JsonObject>consumer(ADDRESS, message -> message.reply(answer(message.body())));
      return vertx.eventBus().<JsonObject>localConsumer(loops.bindOnThisLoop(ADDRESS),
        message -> message.reply(answer(message.body()))).completion();
    }

    private JsonObject answer(JsonObject body) {
      return new JsonObject().put("thread", Thread.currentThread().getName())
        .put("same_object", sent.get(body.getString("id")) == body);
    }
  }

  /** Sends one request the way the api does and answers its own thread with the reply. */
  private final class Sender extends VerticleBase {
    private JsonObject outcome;

    @Override
    public Future<?> start() {
      LoopAddresses.Target target = loops.target(ADDRESS, 5_000);
      JsonObject body = new JsonObject().put("id", deploymentID() + "-" + System.identityHashCode(this));
      sent.put(body.getString("id"), body);
      return vertx.eventBus().<JsonObject>request(target.address(), body, target.options())
        .map(reply -> outcome = reply.body().copy().put("sender_thread", Thread.currentThread().getName())
          .put("address", target.address()));
    }
  }

  @Test
  void a_sender_on_a_loop_with_a_bound_instance_is_served_on_its_own_thread_without_a_copy() {
    Await.result(vertx.deployVerticle(Service::new, new DeploymentOptions().setInstances(LOOPS)));
    List<Sender> senders = new java.util.ArrayList<>();
    Await.result(vertx.deployVerticle(() -> {
      Sender sender = new Sender();
      senders.add(sender);
      return sender;
    }, new DeploymentOptions().setInstances(LOOPS)));

    assertEquals(LOOPS, senders.size());
    for (Sender sender : senders) {
      JsonObject outcome = sender.outcome;
      assertTrue(outcome.getString("address").startsWith(ADDRESS + "@"), outcome.encode());
      assertEquals(outcome.getString("sender_thread"), outcome.getString("thread"), outcome.encode());
      assertTrue(outcome.getBoolean("same_object"), "handed over, not copied: " + outcome.encode());
    }
  }

  @Test
  void without_a_binding_on_its_loop_a_sender_uses_the_cluster_wide_address_and_the_usual_copy() {
    // Off the event loops (a test or worker thread) there is never a loop-local binding.
    assertEquals(ADDRESS, loops.target(ADDRESS, 5_000).address());

    // One service instance, senders on both loops: one sender shares its loop, the other does not.
    Await.result(vertx.deployVerticle(Service::new, new DeploymentOptions().setInstances(1)));
    List<Sender> senders = new java.util.ArrayList<>();
    Await.result(vertx.deployVerticle(() -> {
      Sender sender = new Sender();
      senders.add(sender);
      return sender;
    }, new DeploymentOptions().setInstances(LOOPS)));

    List<JsonObject> outcomes = senders.stream().map(sender -> sender.outcome).toList();
    JsonObject remote = outcomes.stream().filter(o -> o.getString("address").equals(ADDRESS)).findFirst().orElseThrow();
    assertFalse(remote.getBoolean("same_object"), "the cluster-wide path copies: " + remote.encode());
    assertFalse(remote.getString("sender_thread").equals(remote.getString("thread")), remote.encode());
    JsonObject local = outcomes.stream().filter(o -> !o.getString("address").equals(ADDRESS)).findFirst().orElseThrow();
    assertEquals(local.getString("sender_thread"), local.getString("thread"), local.encode());
  }

  @Test
  void after_unbinding_senders_fall_back_to_the_cluster_wide_address() {
    String[] local = new String[1];
    Await.result(vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        local[0] = loops.bindOnThisLoop(ADDRESS);
        assertEquals(local[0], loops.target(ADDRESS, 1_000).address());
        loops.unbind(local[0]);
        assertEquals(ADDRESS, loops.target(ADDRESS, 1_000).address());
        return Future.succeededFuture();
      }
    }));
  }
}
