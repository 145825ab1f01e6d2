package io.auralink.comm.echo;

import io.auralink.comm.platform.bus.LoopAddresses;
import io.auralink.comm.platform.Caller;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Answers a message at once, served on the event bus at {@link #ADDRESS} by every node. It has the shape of a
 * domain operation (a JSON argument and the {@link Caller}) so that its cost is the cost of the hop itself.
 */
@ProxyGen
@VertxGen
public interface EchoService {

  String ADDRESS = "auralink.echo";

  /** A client for the echo service wherever it runs in the cluster. */
  static EchoService proxy(Vertx vertx, long timeoutMillis) {
    return new EchoServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one (no hand-off between threads), otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static EchoService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, EchoServiceVertxEBProxy::new);
  }

  /** {@code {message, principal, node_id}}: the message as sent, who sent it, and the node that answered. */
  Future<JsonObject> echo(JsonObject message, Caller caller);
}
