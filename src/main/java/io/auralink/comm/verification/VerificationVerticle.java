package io.auralink.comm.verification;

import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.auralink.comm.platform.storage.RedisClients;
import io.auralink.comm.verification.impl.VerificationServiceImpl;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;

/** Serves {@link VerificationService} at {@link VerificationService#ADDRESS}: it only wires. */
public final class VerificationVerticle extends ServiceVerticle<VerificationService> {

  private VerificationServiceImpl service;
  private Redis redis;

  public VerificationVerticle(Platform platform) {
    super(platform, VerificationService.class, VerificationService.ADDRESS);
  }

  @Override
  protected Future<VerificationService> startService() {
    redis = RedisClients.create(vertx, platform.config().redis());
    service = VerificationServiceImpl.create(vertx, platform, redis);
    service.start();
    return Future.succeededFuture(service);
  }

  @Override
  protected Future<?> stopService() {
    return service.stop().eventually(() -> redis.close());
  }
}
