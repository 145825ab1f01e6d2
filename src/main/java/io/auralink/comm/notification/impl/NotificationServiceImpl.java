package io.auralink.comm.notification.impl;

import io.auralink.comm.call.CallService;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.notification.NotificationError;
import io.auralink.comm.notification.NotificationService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.crypto.Resealer;
import io.auralink.comm.platform.crypto.Sealer;
import io.auralink.comm.presence.PresenceService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.net.URI;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;

/**
 * {@link NotificationService}: validation and who may act for whom; storage is the {@link NotificationStore},
 * delivery the {@link DeliveryWorker}, ring control the {@link RingControl}.
 */
public final class NotificationServiceImpl implements NotificationService {

  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");
  private static final Caller REGISTRY_ADMIN = Caller.service("notification", Set.of(IdentityService.ADMIN));
  private static final int PAGE_LIMIT = 100;

  private final NotificationStore store;
  private final IdentityService identity;
  private final CallService calls;
  private final DeliveryWorker worker;
  private final RingControl rings;
  private final int maxRingSeconds;
  private final int maxAppsPerPerson;
  private final Resealer resealer;

  private NotificationServiceImpl(NotificationStore store, IdentityService identity, CallService calls,
                                  DeliveryWorker worker, RingControl rings, int maxRingSeconds, int maxAppsPerPerson,
                                  Resealer resealer) {
    this.resealer = resealer;
    this.store = store;
    this.identity = identity;
    this.calls = calls;
    this.worker = worker;
    this.rings = rings;
    this.maxRingSeconds = maxRingSeconds;
    this.maxAppsPerPerson = maxAppsPerPerson;
  }

  public static NotificationServiceImpl create(Vertx vertx, Platform platform) {
    long timeout = platform.config().node().eventBusTimeout().toMillis();
    Sealer sealer = Sealer.from(platform.config().data());
    NotificationStore store = new NotificationStore(platform.pool(), sealer);
    IdentityService identity = IdentityService.proxy(vertx, platform.loops(), timeout);
    DeliveryWorker worker = new DeliveryWorker(vertx, store, platform.config().notification(), platform.config().transport(),
      platform.metrics());
    RingControl rings = new RingControl(store, identity, PresenceService.proxy(vertx, platform.loops(), timeout),
      worker::kick, platform.metrics());
    return new NotificationServiceImpl(store, identity, CallService.proxy(vertx, platform.loops(), timeout), worker,
      rings, (int) platform.config().call().maxRingTime().toSeconds(),
      platform.config().notification().maxAppsPerPerson(), new Resealer(vertx, platform.pool(), sealer,
      "notification", NotificationStore.SEALED, platform.config().data(), platform.metrics()));
  }

  /** Starts the background re-encryption of the hub's secrets (the delivery worker starts with the service). */
  public void start() {
    resealer.start();
  }

  /** A call's change of state ({@link io.auralink.comm.call.CallEvents#STATE}). */
  public Future<Void> callState(JsonObject event) {
    return rings.callState(event);
  }

  /** A call participant's change ({@link io.auralink.comm.call.CallEvents#PARTICIPANT}). */
  public Future<Void> participantChanged(JsonObject event) {
    return rings.participantChanged(event);
  }

  public Future<Void> close() {
    worker.close();
    return resealer.stop();
  }

  // ---- apps -------------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> registerApp(String input, JsonObject body, Caller caller) {
    JsonObject app = body == null ? new JsonObject() : body;
    return owner(input, caller, WRITE)
      .compose(auraId -> ErrorCode.parsed(() -> {
          String appId = id(app.getValue("app_id"), "app_id");
          String name = text(app.getValue("display_name"), "display_name", 100);
          return new JsonObject().put("aura_id", auraId).put("app_id", appId).put("display_name", name)
            .put("devices", devices(app.getValue("devices")));
        }))
      .compose(parsed -> {
        String secret = StandardWebhooks.newSecret();
        return store.insertApp(parsed.getString("aura_id"), parsed.getString("app_id"),
            parsed.getString("display_name"), secret, parsed.getJsonArray("devices"), maxAppsPerPerson)
          .recover(e -> NotificationStore.uniqueViolation(e)
            ? NotificationError.APP_EXISTS.fail("an app " + parsed.getString("app_id") + " is registered already",
              field("app_id"))
            : Future.failedFuture(e))
          .compose(inserted -> inserted ? Future.<Void>succeededFuture()
            : NotificationError.APP_LIMIT_REACHED.fail(parsed.getString("aura_id") + " has " + maxAppsPerPerson
              + " apps, the most one person may register; remove one first",
              new JsonObject().put("max_apps", maxAppsPerPerson)))
          .compose(v -> store.apps(parsed.getString("aura_id")))
          .map(apps -> apps.get(parsed.getString("app_id")).copy().put("aura_id", parsed.getString("aura_id"))
            .put("signing_secret", secret));
      });
  }

  @Override
  public Future<JsonObject> apps(String input, Caller caller) {
    return owner(input, caller, READ, WRITE).compose(auraId -> store.apps(auraId)
      .map(apps -> new JsonObject().put("aura_id", auraId).put("apps", new JsonArray(List.copyOf(apps.values())))));
  }

  @Override
  public Future<JsonObject> updateApp(String input, String appId, JsonObject body, Caller caller) {
    JsonObject changes = body == null ? new JsonObject() : body;
    return owner(input, caller, WRITE).compose(auraId -> ErrorCode.parsed(() -> {
        String name = changes.containsKey("display_name")
          ? text(changes.getValue("display_name"), "display_name", 100) : null;
        JsonArray devices = changes.containsKey("devices") ? devices(changes.getValue("devices")) : null;
        return new JsonObject().put("name", name).put("devices", devices);
      })
      .compose(parsed -> store.updateApp(auraId, appId, parsed.getString("name"), parsed.getJsonArray("devices")))
      .compose(found -> found ? store.apps(auraId) : appNotFound(appId))
      .map(apps -> apps.get(appId).copy().put("aura_id", auraId)));
  }

  @Override
  public Future<JsonObject> deleteApp(String input, String appId, Caller caller) {
    return owner(input, caller, WRITE).compose(auraId -> store.deleteApp(auraId, appId)
      .compose(found -> found ? Future.succeededFuture(new JsonObject().put("aura_id", auraId).put("app_id", appId)
        .put("deleted", true)) : appNotFound(appId)));
  }

  private static <T> Future<T> appNotFound(String appId) {
    return NotificationError.APP_NOT_FOUND.fail("no app " + appId, field("app_id"));
  }

  private static JsonArray devices(Object value) {
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray devices) || devices.size() > 50) {
      throw invalid("devices", "devices must be a list of at most 50 devices");
    }
    Set<String> seen = new HashSet<>();
    JsonArray parsed = new JsonArray();
    for (int i = 0; i < devices.size(); i++) {
      String at = "devices[" + i + "]";
      if (!(devices.getValue(i) instanceof JsonObject device)) {
        throw invalid(at, at + " must be an object");
      }
      String deviceId = id(device.getValue("device_id"), at + ".device_id");
      if (!seen.add(deviceId)) {
        throw invalid(at + ".device_id", at + ".device_id repeats " + deviceId);
      }
      if (!(device.getValue("channel") instanceof JsonObject channel)) {
        throw invalid(at + ".channel", at + ".channel is required");
      }
      String type = channel.getString("type");
      if (!"webhook".equals(type) && !"push_gateway".equals(type) && !"stream".equals(type)) {
        throw invalid(at + ".channel.type", at + ".channel.type must be webhook, push_gateway or stream");
      }
      if ("stream".equals(type) && channel.getValue("url") != null) {
        throw invalid(at + ".channel.url", at + ".channel.url is not given for a stream");
      }
      String url = "stream".equals(type) ? null : url(channel.getValue("url"), at + ".channel.url");
      JsonObject kept = new JsonObject().put("type", type).put("url", url);
      if ("push_gateway".equals(type)) {
        kept.put("pushkey", text(channel.getValue("pushkey"), at + ".channel.pushkey", 512));
      }
      parsed.add(new JsonObject().put("device_id", deviceId).put("channel", kept));
    }
    return parsed;
  }

  // ---- preferences ------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> setPreferences(String input, JsonObject body, Caller caller) {
    JsonObject p = body == null ? new JsonObject() : body;
    return owner(input, caller, WRITE).compose(auraId -> ErrorCode.parsed(() -> preferences(p))
      .compose(parsed -> store.setPreferences(auraId, parsed).map(parsed.copy().put("aura_id", auraId))));
  }

  @Override
  public Future<JsonObject> preferences(String input, Caller caller) {
    return owner(input, caller, READ, WRITE).compose(auraId -> store.preferences(auraId)
      .map(p -> p.put("aura_id", auraId)));
  }

  private JsonObject preferences(JsonObject p) {
    JsonObject parsed = NotificationStore.defaultPreferences();
    if (p.getValue("preferred_apps") != null) {
      if (!(p.getValue("preferred_apps") instanceof JsonArray apps) || apps.size() > 20) {
        throw invalid("preferred_apps", "preferred_apps must be a list of at most 20 app ids");
      }
      JsonArray kept = new JsonArray();
      for (int i = 0; i < apps.size(); i++) {
        kept.add(id(apps.getValue(i), "preferred_apps[" + i + "]"));
      }
      parsed.put("preferred_apps", kept);
    }
    if (p.getValue("ring") != null) {
      if (!"all".equals(p.getValue("ring")) && !"preferred".equals(p.getValue("ring"))) {
        throw invalid("ring", "ring must be all or preferred");
      }
      parsed.put("ring", p.getValue("ring"));
    }
    if (p.getValue("time_zone") != null) {
      try {
        parsed.put("time_zone", ZoneId.of(String.valueOf(p.getValue("time_zone"))).getId());
      } catch (DateTimeException e) {
        throw invalid("time_zone", "time_zone must be an IANA time zone such as Europe/Paris");
      }
    }
    if (p.getValue("dnd") != null) {
      if (!(p.getValue("dnd") instanceof JsonArray windows) || windows.size() > 20) {
        throw invalid("dnd", "dnd must be a list of at most 20 windows");
      }
      for (int i = 0; i < windows.size(); i++) {
        String at = "dnd[" + i + "]";
        if (!(windows.getValue(i) instanceof JsonObject window)) {
          throw invalid(at, at + " must be {start, end, days?}");
        }
        for (String bound : List.of("start", "end")) {
          try {
            LocalTime.parse(String.valueOf(window.getValue(bound)));
          } catch (DateTimeException e) {
            throw invalid(at + "." + bound, at + "." + bound + " must be a time HH:MM");
          }
        }
        if (window.getValue("days") != null && !(window.getValue("days") instanceof JsonArray days
          && days.stream().allMatch(d -> d instanceof Integer n && n >= 1 && n <= 7))) {
          throw invalid(at + ".days", at + ".days must list ISO days, 1 (Monday) to 7");
        }
      }
      parsed.put("dnd", windows.copy());
    }
    if (p.getValue("contacts_only") != null) {
      if (!(p.getValue("contacts_only") instanceof Boolean only)) {
        throw invalid("contacts_only", "contacts_only must be true or false");
      }
      parsed.put("contacts_only", only);
    }
    if (p.getValue("ring_seconds") != null) {
      if (!(p.getValue("ring_seconds") instanceof Integer seconds) || seconds < 1 || seconds > maxRingSeconds) {
        throw invalid("ring_seconds", "ring_seconds must be 1 to " + maxRingSeconds + " (the longest ring)");
      }
      parsed.put("ring_seconds", seconds);
    }
    return parsed;
  }

  // ---- the queue --------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> notifications(JsonObject query, Caller caller) {
    JsonObject q = query == null ? new JsonObject() : query;
    String named = q.getString("aura_id") != null ? q.getString("aura_id") : caller.onBehalfOf();
    if (named == null) {
      return NotificationError.VALIDATION_FAILED.fail("aura_id is required for a service", field("aura_id"));
    }
    return owner(named, caller, READ, WRITE).compose(auraId -> ErrorCode.parsed(() -> page(q))
      .compose(page -> store.page(auraId, q.getString("state"), page.before(), page.limit() + 1)
        .map(rows -> {
          List<JsonObject> shown = rows.size() > page.limit() ? rows.subList(0, page.limit()) : rows;
          return new JsonObject().put("aura_id", auraId).put("notifications", new JsonArray(shown))
            .put("next", rows.size() > page.limit() ? shown.get(shown.size() - 1).getString("created_at") : null);
        })));
  }

  /** One page of the list: the newest first, created before {@code before}. */
  private record Page(Instant before, int limit) {
  }

  private static Page page(JsonObject query) {
    Instant before;
    try {
      before = query.getString("before") == null ? null : Instant.parse(query.getString("before"));
    } catch (DateTimeException e) {
      throw invalid("before", "before must be a time such as 2026-01-01T00:00:00Z");
    }
    return new Page(before, Math.min(PAGE_LIMIT, Math.max(1, query.getInteger("limit", 50))));
  }

  @Override
  public Future<JsonObject> acknowledge(String notificationId, Caller caller) {
    if (caller.onBehalfOf() == null) {
      return NotificationError.FORBIDDEN.fail("a device acknowledges with its person's token (or a service acting"
        + " as them)");
    }
    try {
      UUID.fromString(notificationId);
    } catch (IllegalArgumentException e) {
      return NotificationError.VALIDATION_FAILED.fail("notification_id must be a UUID", field("notification_id"));
    }
    return store.acknowledge(notificationId, caller.onBehalfOf()).compose(found -> found.isPresent()
      ? Future.succeededFuture(found.get())
      : NotificationError.NOTIFICATION_NOT_FOUND.fail("no notification " + notificationId, field("notification_id")));
  }

  @Override
  public Future<JsonObject> ringReceipts(String callId, Caller caller) {
    return calls.call(callId, caller).transform(seen -> {
      if (seen.failed()) {
        if (seen.cause() instanceof ServiceException refused && refused.failureCode() < 500) {
          // The call domain's own answer (404 for a call the caller takes no part in, 400, 403) stands.
          return Future.failedFuture(refused);
        }
        return NotificationError.IDENTITY_UNAVAILABLE.fail("the call domain did not answer whether the caller may"
          + " see the call (" + seen.cause().getMessage() + ")");
      }
      return store.rings(callId).map(rows -> {
        JsonArray receipts = new JsonArray();
        int delivered = 0;
        int acknowledged = 0;
        int suppressed = 0;
        for (JsonObject row : rows) {
          delivered += "delivered".equals(row.getString("state")) ? 1 : 0;
          suppressed += "suppressed".equals(row.getString("state")) ? 1 : 0;
          acknowledged += row.getString("acknowledged_at") != null ? 1 : 0;
          receipts.add(new JsonObject().put("notification_id", row.getString("notification_id"))
            .put("aura_id", row.getString("aura_id")).put("app_id", row.getString("app_id"))
            .put("device_id", row.getString("device_id")).put("state", row.getString("state"))
            .put("suppressed_reason", row.getString("suppressed_reason"))
            .put("delivered_at", row.getString("delivered_at")).put("acknowledged_at", row.getString("acknowledged_at")));
        }
        return new JsonObject().put("call_id", callId).put("devices", rows.size()).put("delivered", delivered)
          .put("acknowledged", acknowledged).put("suppressed", suppressed).put("receipts", receipts);
      });
    });
  }

  @Override
  public Future<JsonObject> streamBacklog(String input, String lastEventId, Caller caller) {
    if (lastEventId != null) {
      try {
        UUID.fromString(lastEventId);
      } catch (IllegalArgumentException e) {
        return NotificationError.VALIDATION_FAILED.fail("Last-Event-ID must be the id of an event of this stream",
          field("Last-Event-ID"));
      }
    }
    return owner(input, caller, new String[0]).compose(auraId -> (lastEventId == null
        ? Future.succeededFuture(List.<JsonObject>of()) : store.streamAfter(auraId, lastEventId))
      .map(events -> new JsonObject().put("aura_id", auraId).put("events", new JsonArray(events))));
  }

  @Override
  public Future<JsonObject> send(JsonObject body, Caller caller) {
    JsonObject n = body == null ? new JsonObject() : body;
    if (!caller.mayAny(WRITE) || caller.actsAs() != null) {
      return NotificationError.FORBIDDEN.fail("sending notifications takes " + WRITE);
    }
    Object kind = n.getValue("kind");
    if (!"verification".equals(kind) && !"system".equals(kind)) {
      return NotificationError.VALIDATION_FAILED.fail("kind must be verification or system", field("kind"));
    }
    if (n.getValue("data") != null && !(n.getValue("data") instanceof JsonObject)) {
      return NotificationError.VALIDATION_FAILED.fail("data must be an object", field("data"));
    }
    String eventKey = n.getString("id") != null ? kind + ":" + n.getString("id") : kind + ":" + UUID.randomUUID();
    return owner(n.getString("aura_id"), caller, WRITE)
      .compose(auraId -> store.devices(auraId).compose(devices -> store.enqueue(eventKey, (String) kind, auraId,
        devices, null, new JsonObject().put("data", n.getJsonObject("data", new JsonObject())), null)))
      .onSuccess(count -> worker.kick())
      .map(count -> new JsonObject().put("queued", count));
  }

  // ---- who may act for whom ---------------------------------------------------------------------------------

  /** The canonical AuraID the caller may act for here, existing and active; 403 or 404 otherwise. */
  private Future<String> owner(String input, Caller caller, String... anyOf) {
    String auraId = AuraIds.canonical(input).orElse(null);
    if (auraId == null) {
      return NotificationError.VALIDATION_FAILED.fail(AuraIds.malformed("aura_id"), field("aura_id"));
    }
    if (!caller.mayActFor(auraId, anyOf)) {
      return NotificationError.FORBIDDEN.fail("only " + auraId + " (or a service with " + String.join(" or ", anyOf)
        + ") may do this", field("aura_id"));
    }
    return identity.resolve(auraId, REGISTRY_ADMIN).transform(done -> {
      if (done.failed()) {
        return done.cause() instanceof ServiceException se && se.failureCode() == 404
          ? NotificationError.AURAID_NOT_FOUND.fail("no such AuraID: " + auraId, field("aura_id"))
          : NotificationError.IDENTITY_UNAVAILABLE.fail("the identity registry did not answer (" + done.cause()
            .getMessage() + ")");
      }
      return "active".equals(done.result().getString("status")) ? Future.succeededFuture(auraId)
        : NotificationError.AURAID_NOT_FOUND.fail("no such AuraID: " + auraId, field("aura_id"));
    });
  }

  private static String id(Object value, String name) {
    if (!(value instanceof String s) || !ID.matcher(s).matches()) {
      throw invalid(name, name + " must be 1 to 128 letters, digits or . _ : -");
    }
    return s;
  }

  private static String text(Object value, String name, int max) {
    if (!(value instanceof String s) || s.isBlank() || s.length() > max) {
      throw invalid(name, name + " must be a non-empty string of at most " + max + " characters");
    }
    return s;
  }

  private static String url(Object value, String name) {
    String text = text(value, name, 2048);
    try {
      URI uri = URI.create(text);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return text;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw invalid(name, name + " must be an http:// or https:// URL");
  }

  private static ServiceException invalid(String name, String message) {
    return NotificationError.VALIDATION_FAILED.exception(message, field(name));
  }
}
