package io.auralink.comm.identity;

import io.auralink.comm.identity.impl.IdentityServiceImpl;
import io.auralink.comm.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceBinder;

/** Serves {@link IdentityService} at {@link IdentityService#ADDRESS}: it only wires. */
public final class IdentityVerticle extends VerticleBase {

  private final Platform platform;
  private IdentityServiceImpl service;
  private MessageConsumer<JsonObject> consumer;

  public IdentityVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> IdentityServiceImpl.create(vertx, platform))
      .compose(created -> {
        service = created;
        consumer = new ServiceBinder(vertx).setAddress(IdentityService.ADDRESS).register(IdentityService.class, service);
        service.start();
        return consumer.completion();
      });
  }

  @Override
  public Future<?> stop() {
    service.stop();
    return consumer.unregister();
  }
}
