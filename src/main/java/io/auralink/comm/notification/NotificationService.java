package io.auralink.comm.notification;

import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.bus.LoopAddresses;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The notification hub, served on the event bus at {@link #ADDRESS}. A person registers apps, each with a signing
 * secret, and per device a channel: {@code {type: webhook, url}} (Standard Webhooks: {@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>}) or
 * {@code {type: push_gateway, url, pushkey}} (a Matrix push gateway's {@code /_matrix/push/v1/notify}) or
 * {@code {type: stream}} (Server-Sent Events from whichever member the client is connected to). Every
 * notification is stored before it is delivered; deliveries are retried with back-off and jitter, then dead-lettered;
 * a ring is never delivered after its call left {@code ringing} or its ring lifetime ended.
 *
 * <p>A person manages their own apps and preferences (a service with {@link #WRITE} anyone's, {@link #READ} reads).
 * Failures are {@link io.vertx.serviceproxy.ServiceException}s with a {@link NotificationError} code.
 */
@ProxyGen
@VertxGen
public interface NotificationService {

  String ADDRESS = "auralink.notification";

  String READ = "notifications:read";
  String WRITE = "notifications:write";

  static NotificationService proxy(Vertx vertx, long timeoutMillis) {
    return new NotificationServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /** A client for one of this node's event loops (see {@link LoopAddresses}). */
  @GenIgnore
  static NotificationService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, NotificationServiceVertxEBProxy::new);
  }

  /**
   * Registers an app: {@code {app_id, display_name, devices: [{device_id, channel: {type, url, pushkey?}}]}}. Answers
   * the app with {@code signing_secret} ({@code whsec_…}), shown this once.
   */
  Future<JsonObject> registerApp(String auraId, JsonObject app, Caller caller);

  /** {@code {aura_id, apps: [{app_id, display_name, devices, created_at}]}}; secrets are never shown again. */
  Future<JsonObject> apps(String auraId, Caller caller);

  /** Changes {@code display_name} and/or replaces {@code devices}; answers the app. */
  Future<JsonObject> updateApp(String auraId, String appId, JsonObject changes, Caller caller);

  /** Removes an app and its channels; answers {@code {aura_id, app_id, deleted: true}}. */
  Future<JsonObject> deleteApp(String auraId, String appId, Caller caller);

  /**
   * Replaces the preferences: {@code {preferred_apps: [app_id], ring: all | preferred, dnd: [{start: "HH:MM", end:
   * "HH:MM", days?: [1..7]}], time_zone, contacts_only, ring_seconds?}}; answers them.
   */
  Future<JsonObject> setPreferences(String auraId, JsonObject preferences, Caller caller);

  Future<JsonObject> preferences(String auraId, Caller caller);

  /**
   * {@code {aura_id?, state?, before?, limit?}} → {@code {aura_id, notifications: [...], next}}: deliveries newest
   * first; a person reads their own, a service with {@link #READ} names {@code aura_id}.
   */
  Future<JsonObject> notifications(JsonObject query, Caller caller);

  /** A device acknowledges receipt of a notification ({@code {}}); answers the notification. */
  Future<JsonObject> acknowledge(String notificationId, Caller caller);

  /**
   * The delivery receipts of a call's ring, for whoever may see the call: {@code {call_id, devices, delivered,
   * acknowledged, receipts: [{aura_id, app_id, device_id, state, delivered_at, acknowledged_at}]}}.
   */
  Future<JsonObject> ringReceipts(String callId, Caller caller);

  /**
   * What a live stream reconnecting with {@code Last-Event-ID} missed: {@code {aura_id, events: [{id, type, app_id,
   * device_id, data}]}}, the person's stream deliveries after {@code lastEventId}, oldest first (at most 500; none
   * when {@code lastEventId} is null). A person reads their own, a service acting as them ({@link #READ}) too.
   */
  Future<JsonObject> streamBacklog(String auraId, String lastEventId, Caller caller);

  /**
   * A service with {@link #WRITE} queues a notification to every device of a person: {@code {aura_id, kind:
   * verification | system, data, id?}} ({@code id} makes it idempotent). Answers {@code {queued}}.
   */
  Future<JsonObject> send(JsonObject notification, Caller caller);
}
