package io.auralink.comm.presence.impl;

import io.auralink.comm.presence.PresenceEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Publishes changes on {@link PresenceEvents#CHANGED}, coalesced across the cluster: the first change of a person
 * in an interval is published at once (its member claims the interval in Redis); later ones in the same interval
 * wait for its end and are published as one event carrying the state read then. Each instance keeps at most one
 * waiting publication per person.
 */
final class ChangePublisher {

  private static final Logger LOG = LoggerFactory.getLogger(ChangePublisher.class);

  private final Vertx vertx;
  private final PresenceStore store;
  private final Function<String, Future<JsonObject>> current;
  private final Consumer<JsonObject> afterPublish;
  /** Persons with a publication waiting for the end of the interval, and its timer. */
  private final Map<String, Long> waiting = new HashMap<>();

  ChangePublisher(Vertx vertx, PresenceStore store, Function<String, Future<JsonObject>> current,
                  Consumer<JsonObject> afterPublish) {
    this.vertx = vertx;
    this.store = store;
    this.current = current;
    this.afterPublish = afterPublish;
  }

  /** A person's presence changed to {@code presence}. */
  void changed(String auraId, JsonObject presence) {
    if (waiting.containsKey(auraId)) {
      return;
    }
    waiting.put(auraId, -1L);
    attempt(auraId, presence);
  }

  private void attempt(String auraId, JsonObject presence) {
    store.claimEvent(auraId).onComplete(claim -> {
      if (claim.failed()) {
        waiting.remove(auraId);
        LOG.warn("Presence change not published {} {}", kv("aura_id", auraId), kv("error", claim.cause().getMessage()));
      } else if (claim.result() == 0L) {
        waiting.remove(auraId);
        publish(presence);
      } else {
        waiting.put(auraId, vertx.setTimer(claim.result(), timer -> current.apply(auraId).onComplete(now -> {
          if (now.succeeded()) {
            attempt(auraId, now.result());
          } else {
            waiting.remove(auraId);
          }
        })));
      }
    });
  }

  private void publish(JsonObject presence) {
    JsonObject event = new JsonObject().put("aura_id", presence.getString("aura_id"))
      .put("state", presence.getString("state")).put("status_message", presence.getString("status_message"))
      .put("app_id", presence.getString("app_id")).put("last_seen", presence.getString("last_seen"))
      .put("devices", presence.getJsonArray("devices").size()).put("at", Instant.now().toString());
    vertx.eventBus().publish(PresenceEvents.CHANGED, event);
    afterPublish.accept(event);
  }

  /** Drops the waiting publications (their changes stay stored; the next change publishes again). */
  void close() {
    waiting.values().stream().filter(timer -> timer >= 0).forEach(vertx::cancelTimer);
    waiting.clear();
  }
}
