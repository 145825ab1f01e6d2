package io.auralink.comm.call.livekit;

import io.auralink.comm.call.MatrixRtcNames;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * LiveKit access tokens, minted by us: HS256 JWTs signed with the API secret, {@code iss} = the API key (LiveKit
 * finds the secret by it). A participant's join token is for one room and one device ({@link #identity}), with no
 * admin grant; server tokens authorise RoomService calls. {@code nbf} is backdated by the clock skew allowance so a
 * media server whose clock is a little behind still accepts a fresh token.
 */
public final class LiveKitTokens {

  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = URL.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
    .getBytes(StandardCharsets.UTF_8));
  /** Server tokens only travel from us to LiveKit with one request: a minute is plenty. */
  private static final Duration SERVER_TOKEN_TTL = Duration.ofMinutes(1);

  private final String apiKey;
  private final SecretKeySpec secret;
  private final Duration ttl;
  private final Duration skew;
  private final Clock clock;

  public LiveKitTokens(String apiKey, String apiSecret, Duration ttl, Duration skew, Clock clock) {
    this.apiKey = apiKey;
    this.secret = new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.ttl = ttl;
    this.skew = skew;
    this.clock = clock;
  }

  /** The LiveKit identity of one device of a person: two devices of one person never replace each other. */
  public static String identity(String auraId, String deviceId) {
    return auraId + "#" + deviceId;
  }

  /**
   * A join token for {@code room}: join, publish, subscribe and send data in that room only. {@code metadata}
   * travels as the string LiveKit expects (other participants see it).
   */
  public String join(String room, String identity, String name, JsonObject metadata) {
    return sign(claims(identity, ttl)
      .put("name", name)
      .put("metadata", metadata.encode())
      .put("video", new JsonObject()
        .put("room", room)
        .put("roomJoin", true)
        .put("canPublish", true)
        .put("canSubscribe", true)
        .put("canPublishData", true)));
  }

  /**
   * A join token as Element Call's token service (lk-jwt-service) grants it: join {@code room}, publish, subscribe
   * and update one's own metadata (Element Call sets it), no room creation, no admin. The identity is the one Element
   * Call expects ({@link MatrixRtcNames}). lk-jwt-service sends neither name nor metadata; when the Matrix user is one
   * of our AuraIDs, {@code auraId} becomes the name and {@code {"aura_id": ...}} the metadata, so our side of a call
   * can tell who joined. Lifetime: the same TTL as every join token of ours (not lk-jwt-service's hour), since LiveKit
   * checks {@code exp} only when a participant first connects.
   */
  public String matrixRtcJoin(String room, String identity, Optional<String> auraId) {
    JsonObject claims = claims(identity, ttl);
    auraId.ifPresent(id -> claims.put("name", id).put("metadata", new JsonObject().put("aura_id", id).encode()));
    return sign(claims.put("video", new JsonObject()
      .put("room", room)
      .put("roomJoin", true)
      .put("canPublish", true)
      .put("canSubscribe", true)
      .put("canUpdateOwnMetadata", true)));
  }

  /** For RoomService's CreateRoom and DeleteRoom ({@code roomCreate} covers both). */
  public String roomCreate() {
    return sign(claims(apiKey, SERVER_TOKEN_TTL).put("video", new JsonObject().put("roomCreate", true)));
  }

  /** For RoomService calls on one room's participants, e.g. RemoveParticipant. */
  public String roomAdmin(String room) {
    return sign(claims(apiKey, SERVER_TOKEN_TTL)
      .put("video", new JsonObject().put("roomAdmin", true).put("room", room)));
  }

  private JsonObject claims(String subject, Duration lifetime) {
    long now = clock.instant().getEpochSecond();
    return new JsonObject()
      .put("iss", apiKey)
      .put("sub", subject)
      .put("iat", now)
      .put("nbf", now - skew.toSeconds())
      .put("exp", now + lifetime.toSeconds());
  }

  private String sign(JsonObject claims) {
    String signed = HEADER + "." + URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(secret);
      return signed + "." + URL.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
