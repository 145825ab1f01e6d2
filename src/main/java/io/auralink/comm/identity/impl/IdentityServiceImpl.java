package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.IdentityError;
import io.auralink.comm.platform.Page;
import io.auralink.comm.identity.IdentityEvents;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.SqlConnection;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * The registry's logic: validation, authorisation, privacy, cache reads and invalidation, events. Storage is
 * {@link IdentityStore}; every change is stored, then invalidated in the cache, then published, then answered.
 */
public final class IdentityServiceImpl implements IdentityService {

  public static final int BULK_LIMIT = 100;
  private static final List<String> PRIVACY_LEVELS = List.of("public", "friends", "private");
  private static final List<String> UPDATABLE = List.of("display_name", "avatar_url", "privacy_level");
  /**
   * A display name is shown to others beside an AuraID: no control, surrogate, private-use or unassigned character,
   * and no format character (Unicode Cf: bidirectional overrides and isolates, zero-width spaces and joiners, the
   * BOM), which could make a name read as another (UTS #39: not allowed in identifiers).
   */
  private static final Pattern PRINTABLE = Pattern.compile("^[^\\p{Cntrl}\\p{Cf}\\p{Cs}\\p{Co}\\p{Cn}]{1,64}$");
  /** Who changes an AuraID's trust, in the events of those changes. */
  private static final Caller TRUST_DOMAIN = Caller.service("trust", Set.of());

  private final Vertx vertx;
  private final IdentityStore store;
  private final ProfileCache cache;
  private final Usernames usernames;
  private final MatrixProvisioner matrix;

  IdentityServiceImpl(Vertx vertx, IdentityStore store, ProfileCache cache, Usernames usernames,
                      MatrixProvisioner matrix) {
    this.vertx = vertx;
    this.store = store;
    this.cache = cache;
    this.usernames = usernames;
    this.matrix = matrix;
  }

  // ---- registration -----------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> register(JsonObject registration, Caller caller) {
    if (!Privacy.mayWrite(caller)) {
      return IdentityError.FORBIDDEN.fail("registering an AuraID needs identity:write");
    }
    Usernames.Result username = usernames.check(registration.getString("username"));
    if (!username.ok()) {
      return username.refusal().fail(username.reason(), field("username"));
    }
    String userId = registration.getString("user_id");
    if (userId == null || userId.isBlank() || userId.length() > 128) {
      return invalid("user_id", "user_id must be the owning account's id: 1 to 128 characters");
    }
    String displayName = registration.getString("display_name", username.username());
    String avatarUrl = registration.getString("avatar_url");
    String privacy = registration.getString("privacy_level", "public");
    Optional<Future<JsonObject>> refused = checkDisplayName(displayName)
      .or(() -> avatarUrl == null ? Optional.empty() : checkAvatarUrl(avatarUrl))
      .or(() -> checkPrivacy(privacy));
    if (refused.isPresent()) {
      return refused.get();
    }
    IdentityStore.NewAuraId fresh = new IdentityStore.NewAuraId(username.username(), userId, displayName, avatarUrl,
      privacy, matrix.matrixUserId(username.username()), matrix.initialState());
    return store.insert(fresh)
      .compose(profile -> changed(IdentityEvents.Kind.REGISTERED, List.of(profile.auraId()), caller).map(profile))
      .map(profile -> {
        matrix.sweep();
        return new JsonObject()
          .put("aura_id", profile.auraId())
          .put("username", profile.username())
          .put("display_name", profile.displayName())
          .put("privacy_level", profile.privacyLevel())
          .put("matrix_user_id", profile.matrixUserId())
          .put("matrix_state", profile.matrixState())
          .put("created_at", profile.createdAt().toInstant().toString());
      });
  }

  @Override
  public Future<JsonObject> availability(String input) {
    Usernames.Result username = usernames.check(input);
    String shown = input == null ? "" : input.toLowerCase(Locale.ROOT);
    if (!username.ok()) {
      return Future.succeededFuture(availability(shown, false, username.refusal().name()));
    }
    return store.usernameExists(username.username())
      .map(taken -> availability(username.username(), !taken, taken ? IdentityError.AURAID_TAKEN.name() : null));
  }

  private static JsonObject availability(String username, boolean available, String reason) {
    return new JsonObject().put("username", username).put("available", available).put("reason", reason);
  }

  // ---- resolution -------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> resolve(String input, Caller caller) {
    Optional<String> auraId = Usernames.canonicalAuraId(input);
    if (auraId.isEmpty()) {
      return malformed("aura_id");
    }
    return visible(List.of(auraId.get()), caller)
      .compose(found -> found.containsKey(auraId.get()) ? Future.succeededFuture(found.get(auraId.get())) : notFound());
  }

  @Override
  public Future<JsonObject> resolveMany(List<String> inputs, Caller caller) {
    if (inputs == null || inputs.isEmpty() || inputs.size() > BULK_LIMIT) {
      return invalid("aura_ids", "aura_ids must list 1 to " + BULK_LIMIT + " AuraIDs");
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (Usernames.canonicalAuraId(inputs.get(i)).isEmpty()) {
        return malformed("aura_ids[" + i + "]");
      }
    }
    Map<String, String> canonical = new LinkedHashMap<>();
    JsonArray notFound = new JsonArray();
    for (String input : new LinkedHashSet<>(inputs)) {
      canonical.put(input, Usernames.canonicalAuraId(input).orElseThrow());
    }
    return visible(List.copyOf(new LinkedHashSet<>(canonical.values())), caller).map(found -> {
      JsonObject results = new JsonObject();
      canonical.forEach((input, id) -> {
        if (found.containsKey(id)) {
          results.put(id, found.get(id));
        } else {
          notFound.add(input);
        }
      });
      return new JsonObject().put("results", results).put("not_found", notFound);
    });
  }

  /**
   * The views of those of {@code auraIds} the caller may see: one cache round trip, then, for the misses only,
   * one query for profiles and one for relations, written back under the versions read.
   */
  private Future<Map<String, JsonObject>> visible(List<String> auraIds, Caller caller) {
    String relationViewer = Privacy.needsRelation(caller) ? caller.onBehalfOf() : null;
    return entries(auraIds, relationViewer).map(entries -> decide(auraIds, caller, entries));
  }

  /**
   * What is known of {@code auraIds} (and, given a {@code relationViewer}, how each relates to them), complete:
   * one cache round trip, then the misses from PostgreSQL, written back under the versions read.
   */
  private Future<Map<String, ProfileCache.Entry>> entries(List<String> auraIds, String relationViewer) {
    return cache.read(auraIds, relationViewer).compose(entries -> {
      List<String> misses = auraIds.stream().filter(id -> !entries.get(id).complete(relationViewer != null)).toList();
      if (misses.isEmpty()) {
        return Future.succeededFuture(entries);
      }
      Future<Map<String, Profile>> profiles = store.findAll(misses);
      Future<Map<String, Map<String, Privacy.Relation>>> relations = relationViewer == null
        ? Future.succeededFuture(null) : store.relationsOf(misses);
      return Future.all(profiles, relations).map(loaded -> {
        Map<String, ProfileCache.Entry> merged = new LinkedHashMap<>(entries);
        for (String id : misses) {
          Optional<Profile> profile = Optional.ofNullable(profiles.result().get(id));
          Map<String, Privacy.Relation> related = relations.result() == null ? null : relations.result().get(id);
          long version = entries.get(id).version();
          cache.write(id, version, profile, related);
          Optional<Privacy.Relation> relation = related == null ? Optional.empty()
            : Optional.of(related.getOrDefault(relationViewer, Privacy.Relation.NONE));
          merged.put(id, new ProfileCache.Entry(version, Optional.of(profile), relation));
        }
        return merged;
      });
    });
  }

  private static Map<String, JsonObject> decide(List<String> auraIds, Caller caller, Map<String, ProfileCache.Entry> entries) {
    Map<String, JsonObject> visible = new LinkedHashMap<>();
    for (String id : auraIds) {
      ProfileCache.Entry entry = entries.get(id);
      Optional<Profile> profile = entry.profile().flatMap(p -> p);
      Privacy.Relation relation = entry.relation().orElse(Privacy.Relation.NONE);
      profile.filter(p -> Privacy.canSee(p, caller, relation))
        .ifPresent(p -> visible.put(id, p.view(Privacy.seesEverything(p, caller))));
    }
    return visible;
  }

  // ---- changes ----------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> update(String input, JsonObject changes, Caller caller) {
    if (changes == null || changes.isEmpty()) {
      return invalid("body", "nothing to change: give display_name, avatar_url or privacy_level");
    }
    for (String key : changes.fieldNames()) {
      if (!UPDATABLE.contains(key)) {
        return invalid(key, key + " cannot be changed; changeable: " + String.join(", ", UPDATABLE));
      }
    }
    Optional<String> displayName = Optional.ofNullable(changes.getString("display_name"));
    Optional<Optional<String>> avatarUrl = changes.containsKey("avatar_url")
      ? Optional.of(Optional.ofNullable(changes.getString("avatar_url"))) : Optional.empty();
    Optional<String> privacy = Optional.ofNullable(changes.getString("privacy_level"));
    if (changes.containsKey("display_name") && displayName.isEmpty()) {
      return invalid("display_name", "display_name cannot be removed");
    }
    Optional<Future<JsonObject>> refused = displayName.flatMap(this::checkDisplayName)
      .or(() -> avatarUrl.flatMap(v -> v).flatMap(this::checkAvatarUrl))
      .or(() -> privacy.flatMap(this::checkPrivacy));
    if (refused.isPresent()) {
      return refused.get();
    }
    return writable(input, caller)
      .compose(auraId -> store.update(auraId, displayName, avatarUrl, privacy)
        .compose(updated -> updated.isPresent() ? Future.succeededFuture(updated.get()) : notActive(auraId)))
      .compose(profile -> changed(IdentityEvents.Kind.UPDATED, List.of(profile.auraId()), caller).map(profile))
      .map(profile -> {
        displayName.ifPresent(name -> matrix.sweep());
        return profile.view(true);
      });
  }

  @Override
  public Future<JsonObject> deactivate(String input, Caller caller) {
    return writable(input, caller)
      .compose(auraId -> store.changeStatus(auraId, Profile.ACTIVE, "inactive")
        .compose(done -> done.isPresent() ? Future.succeededFuture(done.get()) : notActive(auraId)))
      .compose(profile -> changed(IdentityEvents.Kind.DEACTIVATED, List.of(profile.auraId()), caller)
        .map(profile.view(true)));
  }

  @Override
  public Future<JsonObject> reactivate(String input, Caller caller) {
    if (!Privacy.administers(caller)) {
      return IdentityError.FORBIDDEN.fail("reactivating an AuraID needs identity:admin");
    }
    Optional<String> auraId = Usernames.canonicalAuraId(input);
    if (auraId.isEmpty()) {
      return malformed("aura_id");
    }
    return store.changeStatus(auraId.get(), "inactive", Profile.ACTIVE)
      .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
        ? IdentityError.ACCOUNT_HAS_AURAID.fail("the account holds another AuraID now", field("aura_id"))
        : Future.failedFuture(e))
      .compose(done -> done.isPresent() ? Future.succeededFuture(done.get())
        : store.find(auraId.get()).compose(existing -> existing.isPresent()
          ? IdentityError.AURAID_STATE.<Profile>fail("only a deactivated AuraID can be reactivated; it is "
              + existing.get().status(), field("aura_id"))
          : notFound()))
      .compose(profile -> changed(IdentityEvents.Kind.REACTIVATED, List.of(profile.auraId()), caller)
        .map(profile.view(true)));
  }

  @Override
  public Future<JsonObject> applyTrust(String input, JsonObject trust) {
    Optional<String> auraId = Usernames.canonicalAuraId(input);
    if (auraId.isEmpty()) {
      return malformed("aura_id");
    }
    String id = auraId.get();
    return store.applyTrust(id, trust.getLong("version"), trust.getString("level"), trust.getBoolean("verified", false),
        trust.getJsonObject("suspension"))
      .compose(applied -> !applied ? Future.succeededFuture(false)
        : changed(IdentityEvents.Kind.TRUST, List.of(id), TRUST_DOMAIN).map(true))
      .map(applied -> new JsonObject().put("aura_id", id).put("applied", applied));
  }

  // ---- contacts ---------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> contacts(String input, Caller caller) {
    return owned(input, caller, "see its contacts")
      .compose(auraId -> store.contactsOf(auraId)
        .map(list -> new JsonObject().put("aura_id", auraId).put("contacts", new JsonArray(list))));
  }

  @Override
  public Future<JsonObject> contactsPage(String input, JsonObject page, Caller caller) {
    return owned(input, caller, "see its contacts")
      .compose(auraId -> parsed(() -> Page.of(page, IdentityError.VALIDATION_FAILED))
        .compose(asked -> store.contactsPage(auraId, asked))
        .map(contacts -> new JsonObject().put("aura_id", auraId).mergeIn(contacts)));
  }

  @Override
  public Future<JsonObject> requestContact(String input, String contact, Caller caller) {
    return contactChange(input, contact, caller, (conn, a, b, edges) -> {
      if ("blocked".equals(edges.incoming())) {
        // b has blocked a: b is hidden from a, so this answers exactly like an unknown AuraID.
        return notFound();
      }
      if ("blocked".equals(edges.outgoing())) {
        return IdentityError.CONTACT_STATE.fail("you have blocked " + b + "; remove the block first", field("contact"));
      }
      if ("accepted".equals(edges.outgoing())) {
        return Future.succeededFuture("friend");
      }
      if ("pending".equals(edges.incoming())) {
        return IdentityStore.setEdge(conn, a, b, "accepted")
          .compose(v -> IdentityStore.setEdge(conn, b, a, "accepted")).map("friend");
      }
      return IdentityStore.setEdge(conn, a, b, "pending").map("requested");
    });
  }

  @Override
  public Future<JsonObject> acceptContact(String input, String contact, Caller caller) {
    return contactChange(input, contact, caller, (conn, a, b, edges) -> {
      if (!"pending".equals(edges.incoming())) {
        return IdentityError.CONTACT_STATE.fail("there is no pending request from " + b, field("contact"));
      }
      return IdentityStore.setEdge(conn, b, a, "accepted")
        .compose(v -> IdentityStore.setEdge(conn, a, b, "accepted")).map("friend");
    });
  }

  @Override
  public Future<JsonObject> declineContact(String input, String contact, Caller caller) {
    return contactChange(input, contact, caller, (conn, a, b, edges) -> {
      if (!"pending".equals(edges.incoming())) {
        return IdentityError.CONTACT_STATE.fail("there is no pending request from " + b, field("contact"));
      }
      return IdentityStore.deleteEdge(conn, b, a).map("none");
    });
  }

  @Override
  public Future<JsonObject> removeContact(String input, String contact, Caller caller) {
    return contactChange(input, contact, caller, (conn, a, b, edges) -> {
      Future<Void> outgoing = edges.outgoing() == null ? Future.succeededFuture() : IdentityStore.deleteEdge(conn, a, b);
      return outgoing.compose(v -> edges.incoming() == null || "blocked".equals(edges.incoming())
          ? Future.<Void>succeededFuture() : IdentityStore.deleteEdge(conn, b, a))
        .map("none");
    });
  }

  @Override
  public Future<JsonObject> blockContact(String input, String contact, Caller caller) {
    return contactChange(input, contact, caller, (conn, a, b, edges) -> {
      Future<Void> incoming = edges.incoming() == null || "blocked".equals(edges.incoming())
        ? Future.succeededFuture() : IdentityStore.deleteEdge(conn, b, a);
      return incoming.compose(v -> IdentityStore.setEdge(conn, a, b, "blocked")).map("blocked");
    });
  }

  /** One change between {@code a} and {@code b}, run with both edges locked; answers the resulting state. */
  @FunctionalInterface
  private interface EdgeChange {
    Future<String> apply(SqlConnection conn, String a, String b, IdentityStore.Edges edges);
  }

  /**
   * Common frame of contact changes: {@code a} must be one the caller may act for, and active. {@code b} must be
   * visible to {@code a}, or hidden from them by its privacy level alone while a relation between the two reveals
   * it (a request either way, a friendship, or {@code a}'s own block): anything else (unknown, deactivated,
   * suspended, blocking {@code a}, or private or friends-only with no relation) answers exactly like an unknown
   * AuraID, whatever the operation, so that no answer tells whether a hidden AuraID exists. Both caches are
   * invalidated and the change published.
   */
  private Future<JsonObject> contactChange(String input, String contactInput, Caller caller, EdgeChange change) {
    Optional<String> contact = Usernames.canonicalAuraId(contactInput);
    if (contact.isEmpty()) {
      return malformed("contact");
    }
    String b = contact.get();
    return writable(input, caller)
      .compose(a -> a.equals(b) ? invalid("contact", "an AuraID cannot be its own contact")
        : store.find(a).compose(owner -> owner.filter(Profile::active).isPresent() ? Future.succeededFuture(a)
          : notActive(a)))
      .compose(a -> standing(b, a)
        .compose(standing -> standing == Standing.GONE ? IdentityServiceImpl.<String>notFound()
          : store.withEdges(a, b, (conn, edges) -> standing == Standing.VISIBLE || related(edges)
            ? change.apply(conn, a, b, edges) : notFound()))
        .compose(state -> changed(IdentityEvents.Kind.CONTACTS, List.of(a, b), caller)
          .map(new JsonObject().put("aura_id", a).put("contact", b).put("state", state))));
  }

  /** How a contact stands for the one acting on it. */
  private enum Standing {
    /** The viewer may see it. */
    VISIBLE,
    /** Active and not blocking the viewer, hidden by its privacy level alone: a relation may reveal it. */
    PRIVATE,
    /** Unknown, deactivated, suspended, or blocking the viewer. */
    GONE
  }

  private Future<Standing> standing(String contact, String viewer) {
    return entries(List.of(contact), viewer).map(found -> {
      ProfileCache.Entry entry = found.get(contact);
      Optional<Profile> profile = entry.profile().flatMap(p -> p);
      Privacy.Relation relation = entry.relation().orElse(Privacy.Relation.NONE);
      if (profile.isEmpty()) {
        return Standing.GONE;
      }
      if (Privacy.canSee(profile.get(), Caller.person(viewer), relation)) {
        return Standing.VISIBLE;
      }
      return Privacy.hiddenByPrivacyLevelOnly(profile.get(), relation) ? Standing.PRIVATE : Standing.GONE;
    });
  }

  /** Whether {@code a} and {@code b} share a relation that reveals {@code b} to {@code a}. */
  private static boolean related(IdentityStore.Edges edges) {
    return edges.outgoing() != null || edges.incoming() != null && !"blocked".equals(edges.incoming());
  }

  // ---- shared steps -----------------------------------------------------------------------------------------

  /** The canonical AuraID if the caller may change it (see {@link #owned}); a service needs identity:write. */
  private Future<String> writable(String input, Caller caller) {
    if (!caller.isPerson() && !Privacy.mayWrite(caller)) {
      return IdentityError.FORBIDDEN.fail("changing an AuraID needs identity:write");
    }
    return owned(input, caller, "change it");
  }

  /**
   * The canonical AuraID if the caller may act for it ({@link Caller#mayActFor}: its owner, a service acting as
   * them, or a writer acting for nobody); {@code what} they would do, for the refusal. Others get 403 naming
   * {@code aura_id} if they can see it, and 404 (as for an unknown AuraID) if they cannot.
   */
  private Future<String> owned(String input, Caller caller, String what) {
    Optional<String> auraId = Usernames.canonicalAuraId(input);
    if (auraId.isEmpty()) {
      return malformed("aura_id");
    }
    String id = auraId.get();
    if (caller.mayActFor(id, IdentityService.WRITE, IdentityService.ADMIN)) {
      return store.find(id).compose(found -> found.isPresent() ? Future.succeededFuture(id) : notFound());
    }
    return visible(List.of(id), caller).compose(found -> found.containsKey(id)
      ? IdentityError.FORBIDDEN.fail("only the owner of " + id + " may " + what, field("aura_id"))
      : notFound());
  }

  /** Invalidates the cache for these AuraIDs, then publishes the change; the caller answers after both. */
  private Future<Void> changed(IdentityEvents.Kind kind, List<String> auraIds, Caller caller) {
    return cache.invalidate(auraIds).onSuccess(v ->
      vertx.eventBus().publish(IdentityEvents.CHANGED, IdentityEvents.changed(kind, auraIds, caller.principal())));
  }

  private Optional<Future<JsonObject>> checkDisplayName(String displayName) {
    return PRINTABLE.matcher(displayName).matches() && !displayName.isBlank() ? Optional.empty()
      : Optional.of(invalid("display_name", "display_name must be 1 to 64 printable characters, without"
        + " bidirectional controls or zero-width characters"));
  }

  private Optional<Future<JsonObject>> checkAvatarUrl(String avatarUrl) {
    try {
      URI uri = new URI(avatarUrl);
      if ("https".equals(uri.getScheme()) && uri.getHost() != null && avatarUrl.length() <= 2048) {
        return Optional.empty();
      }
    } catch (URISyntaxException ignored) {
      // refused below
    }
    return Optional.of(invalid("avatar_url", "avatar_url must be an https:// URL of at most 2048 characters"));
  }

  private Optional<Future<JsonObject>> checkPrivacy(String privacy) {
    return PRIVACY_LEVELS.contains(privacy) ? Optional.empty()
      : Optional.of(invalid("privacy_level", "privacy_level must be one of " + String.join(", ", PRIVACY_LEVELS)));
  }

  private static <T> Future<T> invalid(String field, String message) {
    return IdentityError.VALIDATION_FAILED.fail(message, field(field));
  }

  private static <T> Future<T> malformed(String field) {
    return invalid(field, AuraIds.malformed(field));
  }

  private static <T> Future<T> notFound() {
    return IdentityError.AURAID_NOT_FOUND.fail("no such AuraID");
  }

  private static <T> Future<T> notActive(String auraId) {
    return IdentityError.AURAID_STATE.fail(auraId + " is not active", field("aura_id"));
  }


  /** Builds the service and its collaborators; reads the reserved-name list, so call it on a worker thread. */
  public static IdentityServiceImpl create(Vertx vertx, Platform platform, Redis redis) {
    IdentityStore store = new IdentityStore(platform.pool());
    ProfileCache cache = new ProfileCache(vertx, redis, platform.config().identity().cacheTtl(),
      platform.metrics());
    Usernames usernames = new Usernames(platform.config().identity().extraReservedUsernames());
    return new IdentityServiceImpl(vertx, store, cache, usernames,
      new MatrixProvisioner(vertx, platform.config().matrix(), platform.config().transport(), store, cache));
  }

  /** Starts the background provisioning sweep. */
  public void start() {
    matrix.start();
  }

  public void stop() {
    matrix.stop();
  }
}
