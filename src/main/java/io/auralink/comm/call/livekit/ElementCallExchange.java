package io.auralink.comm.call.livekit;

import io.auralink.comm.call.MatrixRtcNames;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Element Call's token exchange, answering as element-hq/lk-jwt-service does so that Element Call can use this node as
 * its "LiveKit JWT service": a client trades a Matrix OpenID token for a LiveKit join token.
 * <ul>
 *   <li>{@link #sfuGet} is {@code POST /sfu/get} ({@code {room, openid_token, device_id}}): slot
 *       {@value MatrixRtcNames#LEGACY_SLOT}, identity {@code {sub}:{device_id}};</li>
 *   <li>{@link #getToken} is {@code POST /get_token} ({@code {room_id, slot_id, openid_token, member{id,
 *       claimed_user_id, claimed_device_id}}}): identity hashed from {@code [sub, claimed_device_id, member.id]}, and
 *       {@code claimed_user_id} must be the token's user.</li>
 * </ul>
 * Both answer {@code {url, jwt}} ({@link Grant#response()}) or fail with a {@link MatrixError}. The body is read as
 * lk-jwt-service reads it: not JSON, an unknown field or a wrong type is 400 {@code M_NOT_JSON}; a missing field 400
 * {@code M_BAD_JSON} (same messages). One deliberate difference: {@code /sfu/get} requires {@code device_id}, since
 * without it every device of a user would get the same identity and replace the others in the room. The optional
 * delayed-leave parameters ({@code delay_id}, {@code delay_timeout}, {@code delay_cs_api_url}) are validated like
 * lk-jwt-service validates them (all or none; full-access users only) but not acted on: this node does not take over
 * the client's delayed leave event, which therefore stays the client's own.
 *
 * <p>The token's homeserver must be allowed and configured ({@link AppConfig.ElementCall}); it is verified with
 * {@link OpenIdVerifier}. A user of our own homeserver who is one of our AuraIDs ({@code @<username>_aura:<our server>})
 * must pass {@link AuraIdAdmission}, and their token carries the AuraID as name and metadata. Users of a full-access
 * homeserver have the room created ({@link RoomCreator#elementCallRoom}); the others get a join token only, which
 * works once the room exists (the SFU must run with {@code room.auto_create: false} for that to be enforced).
 */
public final class ElementCallExchange {

  private static final Logger LOG = LoggerFactory.getLogger(ElementCallExchange.class);
  private static final Set<String> DELAY_FIELDS = Set.of("delay_id", "delay_timeout", "delay_cs_api_url");
  private static final Set<String> SFU_GET_FIELDS = with(DELAY_FIELDS, "room", "openid_token", "device_id");
  private static final Set<String> GET_TOKEN_FIELDS = with(DELAY_FIELDS, "room_id", "slot_id", "openid_token", "member");
  private static final Set<String> OPENID_FIELDS = Set.of("access_token", "token_type", "matrix_server_name",
    "expires_in");
  private static final Set<String> MEMBER_FIELDS = Set.of("id", "claimed_user_id", "claimed_device_id");

  private final AppConfig.ElementCall config;
  private final String ourServerName;
  private final String liveKitUrl;
  private final LiveKitTokens tokens;
  private final OpenIdVerifier verifier;
  private final RoomCreator rooms;
  private final AuraIdAdmission admission;

  /**
   * @param ourServerName the node's Matrix server name ({@link AppConfig.Matrix#serverName()}), whose
   *                      {@code @<username>_aura} users are AuraIDs
   * @param liveKitUrl    the LiveKit URL clients connect to, answered as {@code url}
   */
  public ElementCallExchange(AppConfig.ElementCall config, String ourServerName, String liveKitUrl,
                             LiveKitTokens tokens, OpenIdVerifier verifier, RoomCreator rooms,
                             AuraIdAdmission admission) {
    this.config = config;
    this.ourServerName = ourServerName;
    this.liveKitUrl = liveKitUrl;
    this.tokens = tokens;
    this.verifier = verifier;
    this.rooms = rooms;
    this.admission = admission;
  }

  /**
   * What a successful exchange gave: the answer for the client ({@link #response()}) and, for the call domain, where
   * and as whom the user joins.
   *
   * @param room       the LiveKit room
   * @param identity   the participant identity in it
   * @param fullAccess whether the room was created for this request (the server has full access)
   */
  public record Grant(String url, String jwt, String matrixRoomId, String slotId, String room, String identity,
                      String matrixUserId, Optional<String> auraId, boolean fullAccess) {

    /** The response body: {@code {"url", "jwt"}}. */
    public JsonObject response() {
      return new JsonObject().put("url", url).put("jwt", jwt);
    }
  }

  /** {@code POST /sfu/get}, the legacy endpoint. */
  public Future<Grant> sfuGet(Buffer body) {
    try {
      return legacy(body);
    } catch (MatrixError e) {
      return refused("/sfu/get", e);
    }
  }

  /** {@code POST /get_token}, the MatrixRTC endpoint. */
  public Future<Grant> getToken(Buffer body) {
    try {
      return matrixRtc(body);
    } catch (MatrixError e) {
      return refused("/get_token", e);
    }
  }

  private Future<Grant> legacy(Buffer body) {
    Fields request = Fields.of(body, SFU_GET_FIELDS);
    OpenIdToken token = OpenIdToken.of(request);
    Delay delay = Delay.of(request);
    String room = request.string("room");
    String deviceId = request.string("device_id");
    if (room.isEmpty()) {
      throw MatrixError.badJson("Missing room parameter");
    }
    if (token.incomplete()) {
      throw MatrixError.badJson("Missing OpenID token parameters");
    }
    if (deviceId.isEmpty()) {
      throw MatrixError.badJson("Missing device_id parameter");
    }
    if (delay.halfGiven()) {
      throw MatrixError.badJson(Delay.MISSING);
    }
    return exchange("/sfu/get", token, Optional.empty(), delay, room, MatrixRtcNames.LEGACY_SLOT,
      user -> MatrixRtcNames.legacyIdentity(user, deviceId));
  }

  private Future<Grant> matrixRtc(Buffer body) {
    Fields request = Fields.of(body, GET_TOKEN_FIELDS);
    Fields member = request.object("member", MEMBER_FIELDS);
    OpenIdToken token = OpenIdToken.of(request);
    Delay delay = Delay.of(request);
    String roomId = request.string("room_id");
    String slotId = request.string("slot_id");
    String memberId = member.string("id");
    String claimedUser = member.string("claimed_user_id");
    String claimedDevice = member.string("claimed_device_id");
    if (roomId.isEmpty() || slotId.isEmpty()) {
      throw MatrixError.badJson("The request body is missing `room_id` or `slot_id`");
    }
    if (memberId.isEmpty() || claimedUser.isEmpty() || claimedDevice.isEmpty()) {
      throw MatrixError.badJson(
        "The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`");
    }
    if (token.incomplete()) {
      throw MatrixError.badJson(
        "The request body `openid_token` is missing a `access_token` or `matrix_server_name`");
    }
    if (delay.halfGiven()) {
      throw MatrixError.badJson(Delay.MISSING);
    }
    return exchange("/get_token", token, Optional.of(claimedUser), delay, roomId, slotId,
      user -> MatrixRtcNames.identity(user, claimedDevice, memberId));
  }

  /**
   * The AuraID of a Matrix user when it is one of ours: {@code @<username>_aura:<our server>} → {@code @<username>.aura}
   * (the mapping identity provisions; only the canonical, lower-case form matches).
   */
  public static Optional<String> auraIdOf(String matrixUserId, String ourServerName) {
    String suffix = "_aura:" + ourServerName;
    if (!matrixUserId.startsWith("@") || !matrixUserId.endsWith(suffix)) {
      return Optional.empty();
    }
    String auraId = matrixUserId.substring(0, matrixUserId.length() - suffix.length()) + ".aura";
    return AuraIds.CANONICAL.matcher(auraId).matches() ? Optional.of(auraId) : Optional.empty();
  }

  private Future<Grant> exchange(String endpoint, OpenIdToken token, Optional<String> claimedUser, Delay delay,
                                 String matrixRoomId, String slotId, Function<String, String> identityOf) {
    String server = token.matrixServerName();
    if (!config.allows(server)) {
      return refused(endpoint, MatrixError.unauthorized("OpenID tokens of " + server + " are not accepted here"));
    }
    boolean fullAccess = config.fullAccess(server);
    return verifier.verify(token.accessToken(), server)
      .map(user -> {
        if (claimedUser.isPresent() && !claimedUser.get().equals(user)) {
          throw MatrixError.unauthorized("member.claimed_user_id is not the user the OpenID token belongs to");
        }
        if (delay.requested() && !fullAccess) {
          throw MatrixError.badJson("Delegation of delayed events is only supported for full access users");
        }
        return user;
      })
      .compose(user -> admitted(user).map(auraId -> {
        String room = MatrixRtcNames.room(matrixRoomId, slotId);
        String identity = identityOf.apply(user);
        return new Grant(liveKitUrl, tokens.matrixRtcJoin(room, identity, auraId), matrixRoomId, slotId, room,
          identity, user, auraId, fullAccess);
      }))
      .compose(grant -> fullAccess
        ? rooms.create(RoomCreator.elementCallRoom(grant.room()))
          .transform(created -> created.succeeded() ? Future.succeededFuture(grant)
            : Future.failedFuture(MatrixError.unknown("Unable to create room on SFU")))
        : Future.succeededFuture(grant))
      .onSuccess(grant -> LOG.info("Element Call token issued {} {} {} {} {} {}", kv("endpoint", endpoint),
        kv("matrix_user_id", grant.matrixUserId()), kv("aura_id", grant.auraId().orElse(null)),
        kv("livekit_room", grant.room()), kv("livekit_identity", grant.identity()),
        kv("access", fullAccess ? "full" : "join-only")))
      .recover(failure -> refused(endpoint, MatrixError.of(failure)));
  }

  private Future<Optional<String>> admitted(String user) {
    Optional<String> auraId = auraIdOf(user, ourServerName);
    if (auraId.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return admission.admit(auraId.get()).map(auraId);
  }

  private static <T> Future<T> refused(String endpoint, MatrixError error) {
    LOG.debug("Element Call token refused {} {} {}", kv("endpoint", endpoint), kv("errcode", error.errcode()),
      kv("reason", error.getMessage()));
    return Future.failedFuture(error);
  }

  private static Set<String> with(Set<String> base, String... more) {
    java.util.HashSet<String> all = new java.util.HashSet<>(base);
    all.addAll(Set.of(more));
    return Set.copyOf(all);
  }

  private record OpenIdToken(String accessToken, String matrixServerName) {
    static OpenIdToken of(Fields request) {
      Fields token = request.object("openid_token", OPENID_FIELDS);
      token.string("token_type");
      token.integer("expires_in");
      return new OpenIdToken(token.string("access_token"), token.string("matrix_server_name"));
    }

    boolean incomplete() {
      return accessToken.isEmpty() || matrixServerName.isEmpty();
    }
  }

  private record Delay(String id, long timeout, String csApiUrl) {
    static final String MISSING = "The request body is missing `delay_id`, `delay_timeout` or `delay_cs_api_url`";

    static Delay of(Fields request) {
      return new Delay(request.string("delay_id"), request.integer("delay_timeout"),
        request.string("delay_cs_api_url"));
    }

    boolean requested() {
      return !id.isEmpty();
    }

    boolean halfGiven() {
      boolean all = !id.isEmpty() && timeout > 0 && !csApiUrl.isEmpty();
      boolean any = !id.isEmpty() || timeout > 0 || !csApiUrl.isEmpty();
      return any && !all;
    }
  }

  /**
   * A JSON object read the way Go's {@code json.Decoder} with {@code DisallowUnknownFields} reads it into
   * lk-jwt-service's structs: unknown keys and wrong types are decoding errors ({@code M_NOT_JSON}); absent and
   * {@code null} values are the zero value ({@code ""}, {@code 0}, an empty object), which validation then reports.
   */
  private record Fields(JsonObject json, String path) {
    static Fields of(Buffer body, Set<String> known) {
      Object parsed;
      try {
        parsed = body == null || body.length() == 0 ? null : Json.decodeValue(body);
      } catch (DecodeException e) {
        throw MatrixError.notJson("Error reading request: the body is not JSON");
      }
      if (body == null || body.length() == 0) {
        throw MatrixError.notJson("Error reading request: the body is empty");
      }
      if (parsed instanceof Map<?, ?> map) {
        parsed = new JsonObject(uncheckedCast(map));
      }
      if (parsed != null && !(parsed instanceof JsonObject)) {
        throw MatrixError.notJson("Error reading request: the body is not a JSON object");
      }
      return checked(parsed == null ? new JsonObject() : (JsonObject) parsed, "", known);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> uncheckedCast(Map<?, ?> map) {
      return (Map<String, Object>) map;
    }

    private static Fields checked(JsonObject json, String path, Set<String> known) {
      for (String key : json.fieldNames()) {
        if (!known.contains(key)) {
          throw MatrixError.notJson("Error reading request: unknown field `" + path + key + "`");
        }
      }
      return new Fields(json, path);
    }

    String string(String key) {
      Object value = json.getValue(key);
      if (value == null) {
        return "";
      }
      if (!(value instanceof String text)) {
        throw MatrixError.notJson("Error reading request: `" + path + key + "` must be a string");
      }
      return text;
    }

    long integer(String key) {
      Object value = json.getValue(key);
      if (value == null) {
        return 0;
      }
      if (!(value instanceof Integer) && !(value instanceof Long)) {
        throw MatrixError.notJson("Error reading request: `" + path + key + "` must be an integer");
      }
      return ((Number) value).longValue();
    }

    Fields object(String key, Set<String> known) {
      Object value = json.getValue(key);
      if (value == null) {
        return new Fields(new JsonObject(), path + key + ".");
      }
      if (!(value instanceof JsonObject nested)) {
        throw MatrixError.notJson("Error reading request: `" + path + key + "` must be an object");
      }
      return checked(nested, path + key + ".", known);
    }
  }
}
