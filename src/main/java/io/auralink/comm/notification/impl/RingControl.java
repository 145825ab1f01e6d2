package io.auralink.comm.notification.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.presence.PresenceService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Turns the call domain's state events into notifications. On {@code ringing}, each callee's devices are rung per
 * their preferences (do-not-disturb and contacts-only suppress the ring; the call still ends as missed), until the
 * ring deadline or the callee's own shorter ring lifetime. When the call leaves {@code ringing}, no ring for it is
 * queued or delivered any more, and the devices it reached hear why: {@code call.answered_elsewhere} (all but the
 * answering device), {@code call.ring_cancelled} (declined, cancelled, failed, terminated) or {@code call.missed}.
 * Every member receives every event; one row per (event, device) makes the effect happen once.
 */
final class RingControl {

  private static final Logger LOG = LoggerFactory.getLogger(RingControl.class);
  private static final Caller PRESENCE_READER = Caller.service("notification", Set.of(PresenceService.READ));

  private final NotificationStore store;
  private final IdentityService identity;
  private final PresenceService presence;
  private final Runnable queued;
  private final Timer ringToAnswer;

  RingControl(NotificationStore store, IdentityService identity, PresenceService presence, Runnable queued,
              MeterRegistry metrics) {
    this.store = store;
    this.identity = identity;
    this.presence = presence;
    this.queued = queued;
    this.ringToAnswer = Timer.builder("auralink.notifications.ring_to_answer")
      .description("From the hub queuing a call's ring to its answer").register(metrics);
  }

  Future<Void> callState(JsonObject event) {
    String state = event.getString("state");
    String callId = event.getString("call_id");
    Future<Integer> done = switch (state) {
      case "ringing" -> ring(event);
      case "answered" -> store.ringQueuedAt(callId)
        .onSuccess(at -> at.ifPresent(t -> ringToAnswer.record(Duration.between(t, Instant.now()))))
        .compose(v -> leftRinging(event, "call.answered_elsewhere", event.getString("aura_id"),
          event.getString("device_id")));
      case "missed" -> leftRinging(event, "call.missed", null, null);
      case "declined", "cancelled", "failed", "terminated" -> event.getString("previous_state") == null
        || "ringing".equals(event.getString("previous_state"))
        ? leftRinging(event, "call.ring_cancelled", null, null) : Future.succeededFuture(0);
      default -> Future.succeededFuture(0);
    };
    return done.onSuccess(count -> {
        if (count > 0) {
          queued.run();
        }
      })
      .onFailure(e -> LOG.warn("Call event not handled {} {} {}", kv("call_id", callId), kv("state", state),
        kv("error", e.getMessage())))
      .mapEmpty();
  }

  /**
   * A participant's change ({@link io.auralink.comm.call.CallEvents#PARTICIPANT}): a callee who declined a call that
   * still rings for others stops ringing (when the last one declines, the call's own {@code declined} event stops
   * the rest).
   */
  Future<Void> participantChanged(JsonObject event) {
    if (!"declined".equals(event.getString("state")) || !"ringing".equals(event.getString("call_state"))) {
      return Future.succeededFuture();
    }
    String callId = event.getString("call_id");
    JsonObject payload = new JsonObject().put("data", new JsonObject().put("call_id", callId)
      .put("state", "ringing").put("declined_by", event.getString("aura_id")).put("at", event.getString("at")));
    return store.calleeLeftRinging(callId, event.getString("aura_id"), event.getString("event_id"),
        "call.ring_cancelled", payload)
      .onSuccess(count -> {
        if (count > 0) {
          queued.run();
        }
      })
      .onFailure(e -> LOG.warn("Participant event not handled {} {}", kv("call_id", callId), kv("error", e.getMessage())))
      .mapEmpty();
  }

  private Future<Integer> leftRinging(JsonObject event, String kind, String exceptAuraId, String exceptDevice) {
    return store.callLeftRinging(event.getString("call_id"), event.getString("state"), event.getString("event_id"),
      kind, payload(event), exceptAuraId, exceptDevice);
  }

  private Future<Integer> ring(JsonObject event) {
    JsonArray callees = event.getJsonArray("callee_aura_ids", new JsonArray());
    List<Future<Integer>> rung = callees.stream().map(String::valueOf).map(callee -> ringOne(event, callee)).toList();
    return Future.all(rung).map(all -> rung.stream().mapToInt(Future::result).sum());
  }

  private Future<Integer> ringOne(JsonObject event, String callee) {
    Instant now = Instant.now();
    Future<JsonObject> preferences = store.preferences(callee);
    Future<List<RingPolicy.Target>> devices = store.devices(callee);
    return Future.all(preferences, devices).compose(both -> {
      JsonObject prefs = preferences.result();
      if (devices.result().isEmpty()) {
        return Future.succeededFuture(0);
      }
      Instant expires = Instant.parse(event.getString("ring_deadline"));
      Integer personal = prefs.getInteger("ring_seconds");
      if (personal != null && now.plusSeconds(personal).isBefore(expires)) {
        expires = now.plusSeconds(personal);
      }
      Instant until = expires;
      return Future.all(suppression(event, callee, prefs, now), presentApps(callee, prefs)).compose(decided -> {
        String suppressed = decided.resultAt(0);
        List<String> preferred = prefs.getJsonArray("preferred_apps").stream().map(String::valueOf).toList();
        List<RingPolicy.Target> targets = RingPolicy.targets(devices.result(), prefs.getString("ring"), preferred,
          decided.resultAt(1));
        if (suppressed != null) {
          LOG.info("Ring suppressed {} {} {}", kv("call_id", event.getString("call_id")), kv("aura_id", callee),
            kv("reason", suppressed));
          // Recorded, not queued: nothing for the worker to take.
          return store.suppress(event.getString("event_id"), callee, targets, event.getString("call_id"),
            payload(event), until, suppressed).map(0);
        }
        return store.enqueue(event.getString("event_id"), NotificationStore.RING, callee, targets,
          event.getString("call_id"), payload(event), until);
      });
    });
  }

  /** Why the callee's ring is suppressed ({@code do_not_disturb}, {@code not_a_contact}), or null to ring. */
  private Future<String> suppression(JsonObject event, String callee, JsonObject prefs, Instant now) {
    if (RingPolicy.inDnd(prefs.getJsonArray("dnd"), prefs.getString("time_zone"), now)) {
      return Future.succeededFuture("do_not_disturb");
    }
    String caller = event.getString("caller_aura_id");
    if (!prefs.getBoolean("contacts_only") || caller == null) {
      return Future.succeededFuture(null);
    }
    return isContact(callee, caller).map(contact -> contact ? null : "not_a_contact");
  }

  private Future<Boolean> isContact(String callee, String caller) {
    return identity.contacts(callee, Caller.service("notification", Set.of(IdentityService.READ)).actingAs(callee))
      .map(contacts -> contacts.getJsonArray("contacts").stream().map(c -> (JsonObject) c)
        .anyMatch(c -> caller.equals(c.getString("aura_id")) && "friend".equals(c.getString("state"))));
  }

  /** The apps the callee has a device present in (only asked when ringing only the preferred available app). */
  private Future<Set<String>> presentApps(String callee, JsonObject prefs) {
    if (!"preferred".equals(prefs.getString("ring"))) {
      return Future.succeededFuture(Set.of());
    }
    return presence.presence(callee, PRESENCE_READER).map(shown -> {
      Set<String> apps = new HashSet<>();
      shown.getJsonArray("devices").stream().map(d -> ((JsonObject) d).getString("app_id"))
        .filter(app -> app != null).forEach(apps::add);
      return apps;
    }).otherwise(Set.of());
  }

  private static JsonObject payload(JsonObject event) {
    return new JsonObject().put("data", new JsonObject().put("call_id", event.getString("call_id"))
      .put("state", event.getString("state")).put("caller_aura_id", event.getString("caller_aura_id"))
      .put("callee_aura_ids", event.getJsonArray("callee_aura_ids")).put("media_type", event.getString("media_type"))
      .put("ring_deadline", event.getString("ring_deadline")).put("answered_by", event.getString("aura_id"))
      .put("answered_device", "answered".equals(event.getString("state")) ? event.getString("device_id") : null)
      .put("reason", event.getString("reason")).put("at", event.getString("at")));
  }
}
