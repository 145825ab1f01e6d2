package io.auralink.comm.notification.impl;

import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.notification.NotificationEvents;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Takes due deliveries from the queue (any member's worker; rows another holds are skipped) and sends each over
 * its device's channel: a Standard Webhooks POST, a Matrix push gateway notify, or a publication to the member
 * serving the person's live stream. A 2xx is {@code delivered}; a
 * failure is retried with back-off and jitter until the attempts run out ({@code dead}, kept and visible); a ring
 * whose call stopped ringing is {@code cancelled} and one past its ring lifetime {@code expired}, never sent. One
 * circuit breaker per destination (scheme, host and port): while it is open its deliveries wait without spending
 * attempts, and the others go on.
 */
final class DeliveryWorker {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);

  private final Vertx vertx;
  private final NotificationStore store;
  private final AppConfig.Notification config;
  private final WebClient client;
  private final MeterRegistry metrics;
  private final Map<String, CircuitBreaker> breakers = new HashMap<>();
  private boolean running;
  private boolean again;
  private long timer;

  DeliveryWorker(Vertx vertx, NotificationStore store, AppConfig.Notification config, Transport transport,
                 MeterRegistry metrics) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.metrics = metrics;
    this.client = OutboundTls.webClient(vertx, transport, new WebClientOptions()
      .setConnectTimeout((int) config.requestTimeout().toMillis()).setFollowRedirects(false));
    this.timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> kick());
  }

  /** Looks for due deliveries now (after a local enqueue); a round already running takes one more turn. */
  void kick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    store.claim(config.batchSize(), 2 * config.requestTimeout().toMillis() + 1000)
      .compose(due -> Future.join(due.stream().map(this::deliver).toList()).map(due.size()))
      .onComplete(done -> {
        running = false;
        if (done.failed()) {
          LOG.warn("Notification queue not read {}", kv("error", done.cause().getMessage()));
        } else if (again || done.result() == config.batchSize()) {
          kick();
        }
      });
  }

  private Future<Void> deliver(NotificationStore.Due due) {
    Instant now = Instant.now();
    if (due.callEnded()) {
      return finish(due, "cancelled", "the call stopped ringing");
    }
    if (due.expiresAt() != null && !now.isBefore(due.expiresAt())) {
      return finish(due, "expired", "its lifetime ended before delivery");
    }
    if (due.unreadable()) {
      return finish(due, "dead", "the app's sealed secret cannot be opened (altered, or its data key removed)");
    }
    if (due.channel() == null || due.secret() == null) {
      return finish(due, "dead", "the device's channel was removed");
    }
    if ("stream".equals(due.channel())) {
      // Handed to whichever member serves the person's stream; a client that was away resumes from the table.
      vertx.eventBus().publish(NotificationEvents.stream(due.auraId()), NotificationStore.streamEvent(due.id(),
        due.kind(), due.appId(), due.deviceId(), due.payload()));
      return finish(due, "delivered", null).onSuccess(v -> published(due));
    }
    return breaker(due.url()).<HttpResponse<Buffer>>execute(promise -> send(due, now).onComplete(sent -> {
        if (sent.succeeded() && sent.result().statusCode() / 100 == 2) {
          promise.complete(sent.result());
        } else {
          promise.fail(sent.succeeded() ? "HTTP " + sent.result().statusCode() : sent.cause().getMessage());
        }
      }))
      .compose(response -> accepted(due, response)
        ? finish(due, "delivered", null).onSuccess(v -> published(due))
        : failed(due, "the push gateway rejected the pushkey"))
      .recover(e -> e instanceof OpenCircuitException
        ? store.retry(due.id(), Instant.now().plus(config.breakerReset()), "circuit open for this destination", false)
          .onSuccess(v -> count(due, "circuit_open"))
        : failed(due, e.getMessage()));
  }

  private Future<HttpResponse<Buffer>> send(NotificationStore.Due due, Instant now) {
    if ("push_gateway".equals(due.channel())) {
      return client.postAbs(due.url()).timeout(config.requestTimeout().toMillis()).sendJsonObject(pushGatewayBody(due));
    }
    String body = new JsonObject().put("type", due.kind()).put("timestamp", now.toString())
      .put("data", due.payload().getValue("data")).encode();
    long timestamp = now.getEpochSecond();
    return client.postAbs(due.url()).timeout(config.requestTimeout().toMillis())
      .putHeader("content-type", "application/json")
      .putHeader("webhook-id", due.id())
      .putHeader("webhook-timestamp", String.valueOf(timestamp))
      .putHeader("webhook-signature", StandardWebhooks.sign(due.secret(), due.id(), timestamp, body))
      .sendBuffer(Buffer.buffer(body));
  }

  /** The Push Gateway API's notify body: one device, the event's data in the device's {@code data}. */
  private static JsonObject pushGatewayBody(NotificationStore.Due due) {
    JsonObject data = due.payload().getJsonObject("data", new JsonObject());
    JsonObject notification = new JsonObject().put("event_id", due.id()).put("type", due.kind())
      .put("prio", NotificationStore.RING.equals(due.kind()) ? "high" : "low")
      .put("counts", new JsonObject().put("unread", 1))
      .put("devices", new JsonArray().add(new JsonObject().put("app_id", due.appId()).put("pushkey", due.pushkey())
        .put("data", data)));
    if (data.getString("caller_aura_id") != null) {
      notification.put("sender", data.getString("caller_aura_id"));
    }
    return new JsonObject().put("notification", notification);
  }

  /** A webhook's 2xx accepts; a push gateway's 200 accepts unless it lists the pushkey as rejected. */
  private static boolean accepted(NotificationStore.Due due, HttpResponse<Buffer> response) {
    if (!"push_gateway".equals(due.channel())) {
      return true;
    }
    try {
      JsonArray rejected = response.bodyAsJsonObject().getJsonArray("rejected", new JsonArray());
      return !rejected.contains(due.pushkey());
    } catch (RuntimeException notJson) {
      return true;
    }
  }

  private Future<Void> failed(NotificationStore.Due due, String error) {
    if (due.attempts() >= config.maxAttempts()) {
      LOG.warn("Notification dead-lettered {} {} {}", kv("notification_id", due.id()), kv("aura_id", due.auraId()),
        kv("error", error));
      return finish(due, "dead", error);
    }
    Instant next = Instant.now().plus(RingPolicy.backoff(due.attempts(), config.initialBackoff(), config.maxBackoff(),
      ThreadLocalRandom.current().nextDouble()));
    if (due.expiresAt() != null && !next.isBefore(due.expiresAt())) {
      return finish(due, "expired", error + "; its lifetime ends before the next attempt");
    }
    return store.retry(due.id(), next, error, true).onSuccess(v -> count(due, "retry"));
  }

  private Future<Void> finish(NotificationStore.Due due, String state, String error) {
    return store.finish(due.id(), state, error).onSuccess(v -> count(due, state));
  }

  private void published(NotificationStore.Due due) {
    vertx.eventBus().publish(NotificationEvents.DELIVERED, new JsonObject().put("notification_id", due.id())
      .put("kind", due.kind()).put("aura_id", due.auraId()).put("app_id", due.appId())
      .put("device_id", due.deviceId()).put("call_id", due.callId()).put("at", Instant.now().toString()));
  }

  private void count(NotificationStore.Due due, String outcome) {
    metrics.counter("auralink.notifications.deliveries", "channel", String.valueOf(due.channel()), "outcome", outcome)
      .increment();
  }

  private CircuitBreaker breaker(String url) {
    URI uri = URI.create(url);
    String destination = uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    return breakers.computeIfAbsent(destination, name -> CircuitBreaker.create("notify " + name, vertx,
      new CircuitBreakerOptions().setMaxFailures(config.breakerFailures())
        .setTimeout(config.requestTimeout().toMillis() + 1000)
        .setResetTimeout(config.breakerReset().toMillis())));
  }

  void close() {
    vertx.cancelTimer(timer);
    breakers.values().forEach(CircuitBreaker::close);
    client.close();
  }
}
