package io.auralink.comm.presence;

import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.auralink.comm.presence.impl.PresenceServiceImpl;
import io.vertx.core.Future;

/** Serves {@link PresenceService} at {@link PresenceService#ADDRESS}: it only wires the service. */
public final class PresenceVerticle extends ServiceVerticle<PresenceService> {

  private PresenceServiceImpl service;

  public PresenceVerticle(Platform platform) {
    super(platform, PresenceService.class, PresenceService.ADDRESS);
  }

  @Override
  protected Future<PresenceService> startService() {
    service = PresenceServiceImpl.create(vertx, platform);
    return Future.succeededFuture(service);
  }

  @Override
  protected Future<?> stopService() {
    return service.close();
  }
}
