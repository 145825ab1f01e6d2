package io.auralink.comm.identity;

import io.auralink.comm.identity.impl.IdentityServiceImpl;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.storage.RedisClients;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.serviceproxy.ServiceBinder;

/** Serves {@link IdentityService} at {@link IdentityService#ADDRESS}: it only wires. */
public final class IdentityVerticle extends VerticleBase {

  private final Platform platform;
  private IdentityServiceImpl service;
  private MessageConsumer<JsonObject> consumer;
  private Redis redis;

  public IdentityVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    // A Redis client of its own: its connections then live on this instance's event loop, so a cached resolve
    // stays on one thread from request to reply.
    redis = RedisClients.create(vertx, platform.config().redis());
    return vertx.executeBlocking(() -> IdentityServiceImpl.create(vertx, platform, redis))
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
    return consumer.unregister().eventually(() -> redis.close());
  }
}
