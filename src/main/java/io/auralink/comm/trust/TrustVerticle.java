package io.auralink.comm.trust;

import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.auralink.comm.platform.storage.RedisClients;
import io.auralink.comm.trust.impl.TrustServiceImpl;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

/** Serves {@link TrustService} at {@link TrustService#ADDRESS}: it only wires. */
public final class TrustVerticle extends ServiceVerticle<TrustService> {

  private TrustServiceImpl service;
  private Redis redis;

  public TrustVerticle(Platform platform) {
    super(platform, TrustService.class, TrustService.ADDRESS);
  }

  @Override
  protected Future<TrustService> startService() {
    redis = RedisClients.create(vertx, platform.config().redis());
    service = TrustServiceImpl.create(vertx, platform, redis);
    service.start();
    return Future.succeededFuture(service);
  }

  @Override
  protected Future<?> stopService() {
    service.stop();
    return redis.close();
  }
}
