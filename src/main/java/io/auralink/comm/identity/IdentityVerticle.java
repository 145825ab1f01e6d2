package io.auralink.comm.identity;

import io.auralink.comm.identity.impl.IdentityServiceImpl;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.auralink.comm.platform.storage.RedisClients;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

/** Serves {@link IdentityService} at {@link IdentityService#ADDRESS}: it only wires. */
public final class IdentityVerticle extends ServiceVerticle<IdentityService> {

  private IdentityServiceImpl service;
  private Redis redis;

  public IdentityVerticle(Platform platform) {
    super(platform, IdentityService.class, IdentityService.ADDRESS);
  }

  @Override
  protected Future<IdentityService> startService() {
    // A Redis client of its own: its connections then live on this instance's event loop, so a cached resolve
    // stays on one thread from request to reply.
    redis = RedisClients.create(vertx, platform.config().redis());
    return vertx.executeBlocking(() -> IdentityServiceImpl.create(vertx, platform, redis))
      .map(created -> {
        service = created;
        service.start();
        return service;
      });
  }

  @Override
  protected Future<?> stopService() {
    service.stop();
    return redis.close();
  }
}
