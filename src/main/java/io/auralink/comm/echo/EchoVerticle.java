package io.auralink.comm.echo;

import io.auralink.comm.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

/** Serves {@link EchoService} at {@link EchoService#ADDRESS}. */
public final class EchoVerticle extends VerticleBase {

  private final Platform platform;
  private MessageConsumer<JsonObject> consumer;

  public EchoVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    String nodeId = platform.cluster().getNodeId();
    EchoService service = (message, caller) -> Future.succeededFuture(new JsonObject()
      .put("message", message.getValue("message"))
      .put("principal", caller.principal())
      .put("node_id", nodeId));
    consumer = new ServiceBinder(vertx).setAddress(EchoService.ADDRESS).register(EchoService.class, service);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }
}
