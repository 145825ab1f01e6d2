package io.auralink.comm.presence.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.presence.PresenceError;
import io.auralink.comm.presence.PresenceService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.auralink.comm.platform.ErrorCode.field;

/**
 * {@link PresenceService}: validates, decides who may see whom with the identity registry, and reads and writes the
 * {@link PresenceStore}; changes go to the {@link ChangePublisher} and, when configured, to Matrix.
 */
public final class PresenceServiceImpl implements PresenceService {

  /** The most AuraIDs the registry resolves in one request. */
  private static final int IDENTITY_CHUNK = 100;
  private static final int MAX_ID_LENGTH = 128;
  /** Checks that the AuraID whose devices are set exists and is active (the account status is an owner's field). */
  private static final Caller REGISTRY_ADMIN = Caller.service("presence", Set.of(IdentityService.ADMIN));

  private final PresenceStore store;
  private final IdentityService identity;
  private final ChangePublisher changes;
  private final MatrixPresenceMirror mirror;

  private PresenceServiceImpl(Vertx vertx, PresenceStore store, IdentityService identity, AppConfig.Matrix matrix,
                              Transport transport,
                              io.micrometer.core.instrument.MeterRegistry metrics) {
    this.store = store;
    this.identity = identity;
    this.mirror = MatrixPresenceMirror.create(vertx, matrix, transport, identity, metrics);
    this.changes = new ChangePublisher(vertx, store, this::current, event -> {
      if (mirror != null) {
        mirror.mirror(event);
      }
    });
  }

  public static PresenceServiceImpl create(Vertx vertx, Platform platform) {
    AppConfig.Presence config = platform.config().presence();
    PresenceStore store = new PresenceStore(platform.redis(), platform.pool(), config.deviceTtl(),
      config.lastSeenTtl(), config.eventInterval());
    IdentityService identity = IdentityService.proxy(vertx, platform.loops(),
      platform.config().node().eventBusTimeout().toMillis());
    return new PresenceServiceImpl(vertx, store, identity, platform.config().matrix(), platform.config().transport(),
      platform.metrics());
  }

  public Future<Void> close() {
    changes.close();
    if (mirror != null) {
      mirror.close();
    }
    return Future.succeededFuture();
  }

  // ---- setting devices --------------------------------------------------------------------------------------

  private record Update(String auraId, String deviceId, Presences.State state, String statusMessage, String appId,
                        List<String> capabilities) {
  }

  @Override
  public Future<JsonObject> update(JsonObject body, Caller caller) {
    return ErrorCode.parsed(() -> parseUpdate(body == null ? new JsonObject() : body, caller))
      .compose(update -> existingActive(update.auraId()).map(update))
      .compose(update -> {
        long now = System.currentTimeMillis();
        String value = update.state() == Presences.State.OFFLINE ? null
          : new Presences.Device(update.deviceId(), update.state(), update.statusMessage(), update.appId(),
            update.capabilities(), now,
            now + store.deviceTtlMillis()).encode();
        return store.write(update.auraId(), update.deviceId(), value, now)
          .map(stored -> Presences.aggregate(update.auraId(), stored.devices(), stored.lastSeen(), now));
      })
      .onSuccess(presence -> changes.changed(presence.getString("aura_id"), presence));
  }

  private static Update parseUpdate(JsonObject body, Caller caller) {
    String auraId = targetOf(body.getValue("aura_id"), caller, "aura_id");
    if (!caller.mayActFor(auraId, WRITE)) {
      throw PresenceError.FORBIDDEN.exception("only " + auraId + " (or a service with " + WRITE
        + ") sets its devices", field("aura_id"));
    }
    String deviceId = text(body, "device_id", true, MAX_ID_LENGTH);
    String stateId = text(body, "state", true, 16);
    Presences.State state = Presences.State.parse(stateId).orElseThrow(() -> PresenceError.VALIDATION_FAILED
      .exception("state must be one of online, away, busy, dnd, offline", field("state")));
    String message = text(body, "status_message", false, Presences.MAX_STATUS_MESSAGE);
    String appId = text(body, "app_id", false, MAX_ID_LENGTH);
    return new Update(auraId, deviceId, state, message, appId, capabilities(body.getValue("capabilities")));
  }

  /** The optional list of what the device's app can do, each one known ({@link Presences#CAPABILITIES}), once. */
  private static List<String> capabilities(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list) || list.size() > Presences.CAPABILITIES.size()) {
      throw PresenceError.VALIDATION_FAILED.exception("capabilities must be a list of at most "
        + Presences.CAPABILITIES.size() + " of " + String.join(", ", new java.util.TreeSet<>(Presences.CAPABILITIES)),
        field("capabilities"));
    }
    Set<String> declared = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof String capability) || !Presences.CAPABILITIES.contains(capability)
          || !declared.add(capability)) {
        throw PresenceError.VALIDATION_FAILED.exception("capabilities[" + i + "] must be one of "
          + String.join(", ", new java.util.TreeSet<>(Presences.CAPABILITIES)) + ", listed once",
          field("capabilities[" + i + "]"));
      }
    }
    return List.copyOf(declared);
  }

  /** The AuraID an operation is for: the named one, else the caller's own. */
  private static String targetOf(Object named, Caller caller, String fieldName) {
    if (named == null) {
      if (caller.onBehalfOf() == null) {
        throw PresenceError.VALIDATION_FAILED.exception(fieldName + " is required for a service acting for nobody",
          field(fieldName));
      }
      return caller.onBehalfOf();
    }
    return canonical(named, fieldName);
  }

  private static String canonical(Object input, String fieldName) {
    return AuraIds.canonical(input instanceof String s ? s : null).orElseThrow(() ->
      PresenceError.VALIDATION_FAILED.exception(AuraIds.malformed(fieldName), field(fieldName)));
  }

  private static String text(JsonObject body, String name, boolean required, int maxLength) {
    Object value = body.getValue(name);
    if (value == null) {
      if (required) {
        throw PresenceError.VALIDATION_FAILED.exception(name + " is required", field(name));
      }
      return null;
    }
    if (!(value instanceof String s) || (required && s.isBlank()) || s.codePointCount(0, s.length()) > maxLength) {
      throw PresenceError.VALIDATION_FAILED.exception(name + " must be a" + (required ? " non-empty" : "")
        + " string of at most " + maxLength + " characters", field(name));
    }
    return s;
  }

  /** Only an AuraID that exists and is active has devices. */
  private Future<Void> existingActive(String auraId) {
    return identity.resolve(auraId, REGISTRY_ADMIN).transform(done -> {
      if (done.failed()) {
        return notFound(done.cause()) ? notFoundFailure(auraId) : identityUnavailable(done.cause());
      }
      return "active".equals(done.result().getString("status")) ? Future.succeededFuture() : notFoundFailure(auraId);
    });
  }

  private static Future<Void> notFoundFailure(String auraId) {
    return PresenceError.AURAID_NOT_FOUND.fail("no such AuraID: " + auraId, field("aura_id"));
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> presence(String input, Caller caller) {
    return ErrorCode.parsed(() -> canonical(input, "aura_id"))
      .compose(auraId -> shown(List.of(auraId), caller).map(all -> all.getJsonObject(auraId)));
  }

  @Override
  public Future<JsonObject> bulk(List<String> inputs, Caller caller) {
    return ErrorCode.parsed(() -> {
        if (inputs == null || inputs.isEmpty() || inputs.size() > BULK_LIMIT) {
          throw PresenceError.VALIDATION_FAILED.exception("aura_ids must list 1 to " + BULK_LIMIT + " AuraIDs",
            field("aura_ids"));
        }
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
          ids.add(canonical(inputs.get(i), "aura_ids[" + i + "]"));
        }
        return List.copyOf(ids);
      })
      .compose(ids -> shown(ids, caller))
      .map(all -> new JsonObject().put("presence", all));
  }

  /** The presence of each AuraID as the caller may see it, keyed by AuraID. */
  private Future<JsonObject> shown(List<String> auraIds, Caller caller) {
    Future<Set<String>> visible = visibleTo(caller, auraIds);
    Future<Map<String, PresenceStore.Stored>> stored = store.read(auraIds);
    return Future.all(visible, stored).map(both -> {
      long now = System.currentTimeMillis();
      JsonObject all = new JsonObject();
      for (String auraId : auraIds) {
        PresenceStore.Stored entry = stored.result().get(auraId);
        all.put(auraId, visible.result().contains(auraId)
          ? Presences.aggregate(auraId, entry.devices(), entry.lastSeen(), now)
          : Presences.hidden(auraId));
      }
      return all;
    });
  }

  /**
   * Which of these AuraIDs the caller may see: all of them for a service acting for nobody (with a presence scope);
   * otherwise the viewer's own, and those the registry shows the viewer, less those who show presence to contacts
   * only when the viewer is not one.
   */
  private Future<Set<String>> visibleTo(Caller caller, List<String> auraIds) {
    String viewer = caller.onBehalfOf();
    if (viewer == null) {
      return caller.mayAny(READ, WRITE) ? Future.succeededFuture(Set.copyOf(auraIds))
        : PresenceError.FORBIDDEN.fail("reading presence takes " + READ + " or " + WRITE);
    }
    List<String> others = auraIds.stream().filter(id -> !id.equals(viewer)).toList();
    if (others.isEmpty()) {
      return Future.succeededFuture(Set.of(viewer));
    }
    Caller viewOfViewer = Caller.service("presence", Set.of(IdentityService.READ)).actingAs(viewer);
    List<Future<JsonObject>> lookups = new ArrayList<>();
    for (int from = 0; from < others.size(); from += IDENTITY_CHUNK) {
      lookups.add(identity.resolveMany(others.subList(from, Math.min(others.size(), from + IDENTITY_CHUNK)),
        viewOfViewer));
    }
    Future<Set<String>> contactsOnly = store.contactsOnly(others).recover(e -> PresenceError.PRESENCE_UNAVAILABLE
      .fail("who shows presence to contacts only is unknown: PostgreSQL did not answer (" + e.getMessage() + ")"));
    return Future.all(lookups)
      .recover(PresenceServiceImpl::identityUnavailable)
      .compose(found -> contactsOnly.compose(restricted -> {
        Set<String> visible = new HashSet<>();
        visible.add(viewer);
        lookups.forEach(lookup -> visible.addAll(lookup.result().getJsonObject("results").fieldNames()));
        restricted.retainAll(visible);
        if (restricted.isEmpty()) {
          return Future.succeededFuture(visible);
        }
        return identity.contacts(viewer, viewOfViewer).recover(PresenceServiceImpl::identityUnavailable)
          .map(contacts -> {
            Set<String> friends = friendsIn(contacts.getJsonArray("contacts"));
            restricted.stream().filter(id -> !friends.contains(id)).forEach(visible::remove);
            return visible;
          });
      }));
  }

  private static Set<String> friendsIn(JsonArray contacts) {
    Set<String> friends = new HashSet<>();
    for (int i = 0; i < contacts.size(); i++) {
      JsonObject contact = contacts.getJsonObject(i);
      if ("friend".equals(contact.getString("state"))) {
        friends.add(contact.getString("aura_id"));
      }
    }
    return friends;
  }

  /** The current presence of one person, unfiltered (for the coalesced event). */
  private Future<JsonObject> current(String auraId) {
    return store.read(List.of(auraId)).map(all -> {
      PresenceStore.Stored entry = all.get(auraId);
      return Presences.aggregate(auraId, entry.devices(), entry.lastSeen(), System.currentTimeMillis());
    });
  }

  // ---- visibility -------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> setVisibility(String input, JsonObject body, Caller caller) {
    return ErrorCode.parsed(() -> {
        String auraId = canonical(input, "aura_id");
        if (!caller.mayActFor(auraId, WRITE)) {
          throw PresenceError.FORBIDDEN.exception("only " + auraId + " (or a service with " + WRITE
            + ") chooses who sees its presence", field("aura_id"));
        }
        Object visibleTo = body == null ? null : body.getValue("visible_to");
        if (!"everyone".equals(visibleTo) && !"contacts".equals(visibleTo)) {
          throw PresenceError.VALIDATION_FAILED.exception("visible_to must be everyone or contacts",
            field("visible_to"));
        }
        return new JsonObject().put("aura_id", auraId).put("visible_to", visibleTo);
      })
      .compose(choice -> existingActive(choice.getString("aura_id"))
        .compose(v -> store.setVisibility(choice.getString("aura_id"), choice.getString("visible_to"))
          .recover(e -> PresenceError.PRESENCE_UNAVAILABLE.fail("the choice was not stored: PostgreSQL did not"
            + " answer (" + e.getMessage() + ")")))
        .map(choice));
  }

  @Override
  public Future<JsonObject> visibility(String input, Caller caller) {
    return ErrorCode.parsed(() -> {
        String auraId = canonical(input, "aura_id");
        if (!caller.mayActFor(auraId, READ, WRITE)) {
          throw PresenceError.FORBIDDEN.exception("only " + auraId + " (or a service with " + READ
            + ") reads who sees its presence", field("aura_id"));
        }
        return auraId;
      })
      .compose(auraId -> store.visibility(auraId)
        .recover(e -> PresenceError.PRESENCE_UNAVAILABLE.fail("PostgreSQL did not answer (" + e.getMessage() + ")"))
        .map(visibleTo -> new JsonObject().put("aura_id", auraId).put("visible_to", visibleTo)));
  }

  private static boolean notFound(Throwable e) {
    return e instanceof ServiceException se && se.failureCode() == 404;
  }

  private static <T> Future<T> identityUnavailable(Throwable e) {
    return PresenceError.IDENTITY_UNAVAILABLE.fail("the identity registry did not answer who may see whom; retry"
      + " shortly (" + e.getMessage() + ")");
  }
}
