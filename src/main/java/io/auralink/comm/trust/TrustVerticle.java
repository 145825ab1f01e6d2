package io.auralink.comm.trust;

import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.storage.RedisClients;
import io.auralink.comm.trust.impl.TrustServiceImpl;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.serviceproxy.ServiceBinder;

/** Serves {@link TrustService} at {@link TrustService#ADDRESS}: it only wires. */
public final class TrustVerticle extends VerticleBase {

  private final Platform platform;
  private TrustServiceImpl service;
  private MessageConsumer<JsonObject> consumer;
  private Redis redis;

  public TrustVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, platform.config().redis());
    service = TrustServiceImpl.create(vertx, platform, redis);
    consumer = new ServiceBinder(vertx).setAddress(TrustService.ADDRESS).register(TrustService.class, service);
    service.start();
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    service.stop();
    return consumer.unregister().eventually(() -> redis.close());
  }
}
