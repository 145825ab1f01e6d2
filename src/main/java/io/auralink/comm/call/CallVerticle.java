package io.auralink.comm.call;

import io.auralink.comm.call.impl.CallServiceImpl;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.auralink.comm.trust.TrustEvents;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Serves {@link CallService} at {@link CallService#ADDRESS}: it only wires the service, its ring sweep, and the
 * trust events that end a suspended party's calls.
 */
public final class CallVerticle extends ServiceVerticle<CallService> {

  private CallServiceImpl service;
  private MessageConsumer<JsonObject> trustEvents;
  private long sweepTimer;

  public CallVerticle(Platform platform) {
    super(platform, CallService.class, CallService.ADDRESS);
  }

  @Override
  protected Future<CallService> startService() {
    service = CallServiceImpl.create(vertx, platform);
    sweepTimer = vertx.setPeriodic(platform.config().call().sweepInterval().toMillis(), id -> service.sweep());
    trustEvents = vertx.eventBus().consumer(TrustEvents.CHANGED, message -> service.trustChanged(message.body()));
    return trustEvents.completion().map(service);
  }

  @Override
  protected Future<?> stopService() {
    vertx.cancelTimer(sweepTimer);
    return trustEvents.unregister().eventually(() -> service.close());
  }
}
