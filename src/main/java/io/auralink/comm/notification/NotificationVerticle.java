package io.auralink.comm.notification;

import io.auralink.comm.call.CallEvents;
import io.auralink.comm.notification.impl.NotificationServiceImpl;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Serves {@link NotificationService} at {@link NotificationService#ADDRESS}: it only wires the service, its
 * delivery worker, and the call events that drive ring control.
 */
public final class NotificationVerticle extends ServiceVerticle<NotificationService> {

  private NotificationServiceImpl service;
  private MessageConsumer<JsonObject> callEvents;
  private MessageConsumer<JsonObject> participantEvents;

  public NotificationVerticle(Platform platform) {
    super(platform, NotificationService.class, NotificationService.ADDRESS);
  }

  @Override
  protected Future<NotificationService> startService() {
    service = NotificationServiceImpl.create(vertx, platform);
    service.start();
    callEvents = vertx.eventBus().consumer(CallEvents.STATE, message -> service.callState(message.body()));
    participantEvents = vertx.eventBus().consumer(CallEvents.PARTICIPANT,
      message -> service.participantChanged(message.body()));
    return Future.all(callEvents.completion(), participantEvents.completion()).map(service);
  }

  @Override
  protected Future<?> stopService() {
    return Future.join(callEvents.unregister(), participantEvents.unregister()).eventually(() -> service.close());
  }
}
