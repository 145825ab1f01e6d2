package io.auralink.comm.call.livekit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Verifies LiveKit's webhook requests ({@code livekit/protocol} {@code webhook.Receive}): the {@code Authorization}
 * header holds a JWT signed HS256 with the API secret, whose {@code iss} is the API key, that is valid now (within the
 * leeway), and whose {@code sha256} claim is the padded standard base64 of SHA-256 over the raw body, compared in
 * constant time. Only then is the body read, as LiveKit's protojson {@code WebhookEvent}.
 *
 * <p>LiveKit sends the raw token; a {@code Bearer } prefix (which a proxy or another sender may add) is tolerated,
 * since the signature, not the header's shape, is what authenticates. Verification is a few microseconds of hashing
 * and runs on the caller's thread. Events are hints: deduplicate them by {@link WebhookEvent#id()} and never let one
 * create a call.
 */
public final class LiveKitWebhooks {

  private static final Base64.Decoder URL = Base64.getUrlDecoder();

  private final String apiKey;
  private final SecretKeySpec secret;
  private final long leewaySeconds;
  private final Clock clock;

  /** @param leeway how far {@code nbf} and {@code exp} may be off our clock (LiveKit's own verifier allows 1 min) */
  public LiveKitWebhooks(String apiKey, String apiSecret, Duration leeway, Clock clock) {
    this.apiKey = apiKey;
    this.secret = new SecretKeySpec(apiSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.leewaySeconds = leeway.toSeconds();
    this.clock = clock;
  }

  /** Why a webhook request was refused; answer it 401 (LiveKit retries, so an honest refusal is logged, not hidden). */
  public static final class Rejected extends RuntimeException {
    public Rejected(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * A verified event: {@code id} (for deduplication), {@code event} (e.g. {@code participant_left}), {@code createdAt},
   * the room and participant when the event has them, and the whole body for anything else.
   */
  public record WebhookEvent(String id, String event, Optional<Instant> createdAt, Optional<Room> room,
                             Optional<Participant> participant, JsonObject body) {
  }

  /** The event's room ({@code numParticipants} is 0 when LiveKit omits it, as protojson omits zero values). */
  public record Room(String name, String sid, int numParticipants) {
  }

  /** The event's participant. */
  public record Participant(String identity, String sid, String name) {
  }

  /** The event, or {@link Rejected} naming what is wrong with the request. */
  public WebhookEvent verify(String authorization, Buffer body) {
    String token = token(authorization);
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new Rejected("the Authorization token is not a JWT");
    }
    JsonObject header = json(parts[0], "header");
    if (!"HS256".equals(header.getValue("alg"))) {
      throw new Rejected("the Authorization token is not signed HS256");
    }
    JsonObject claims = json(parts[1], "claims");
    if (!apiKey.equals(claims.getValue("iss"))) {
      throw new Rejected("the Authorization token is not issued by our API key");
    }
    if (!MessageDigest.isEqual(hmac(parts[0] + "." + parts[1]), decode(parts[2], "signature"))) {
      throw new Rejected("the Authorization token's signature does not match our API secret");
    }
    checkTime(claims);
    if (!(claims.getValue("sha256") instanceof String claimed)) {
      throw new Rejected("the Authorization token has no sha256 claim");
    }
    Buffer raw = body == null ? Buffer.buffer() : body;
    byte[] expected = Base64.getEncoder().encode(sha256(raw.getBytes()));
    if (!MessageDigest.isEqual(expected, claimed.getBytes(StandardCharsets.UTF_8))) {
      throw new Rejected("the body does not match the token's sha256 claim");
    }
    return event(raw);
  }

  private static String token(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new Rejected("the Authorization header is missing");
    }
    String value = authorization.trim();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      value = value.substring(7).trim();
    }
    return value;
  }

  private void checkTime(JsonObject claims) {
    long now = clock.instant().getEpochSecond();
    if (!(claims.getValue("exp") instanceof Number exp)) {
      throw new Rejected("the Authorization token has no exp claim");
    }
    if (now > exp.longValue() + leewaySeconds) {
      throw new Rejected("the Authorization token expired at " + Instant.ofEpochSecond(exp.longValue()));
    }
    Object nbf = claims.getValue("nbf");
    if (nbf != null && (!(nbf instanceof Number notBefore) || now < notBefore.longValue() - leewaySeconds)) {
      throw new Rejected("the Authorization token is not valid yet");
    }
  }

  private static WebhookEvent event(Buffer body) {
    JsonObject event;
    try {
      event = body.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      throw new Rejected("the body is not a JSON object");
    }
    if (!(event.getValue("event") instanceof String kind) || kind.isEmpty()) {
      throw new Rejected("the body has no event");
    }
    if (!(event.getValue("id") instanceof String id) || id.isEmpty()) {
      throw new Rejected("the body has no id");
    }
    Optional<Room> room = Optional.ofNullable(event.getJsonObject("room"))
      .map(r -> new Room(r.getString("name", ""), r.getString("sid", ""), (int) int64(r.getValue("numParticipants"))));
    Optional<Participant> participant = Optional.ofNullable(event.getJsonObject("participant"))
      .map(p -> new Participant(p.getString("identity", ""), p.getString("sid", ""), p.getString("name", "")));
    long created = int64(event.getValue("createdAt"));
    return new WebhookEvent(id, kind, created > 0 ? Optional.of(Instant.ofEpochSecond(created)) : Optional.empty(),
      room, participant, event);
  }

  /** protojson writes int64 as a string and int32 as a number. */
  private static long int64(Object value) {
    try {
      return value instanceof Number n ? n.longValue() : value instanceof String s ? Long.parseLong(s) : 0;
    } catch (NumberFormatException e) {
      throw new Rejected("the body has a malformed number: " + value);
    }
  }

  private static JsonObject json(String part, String what) {
    try {
      return new JsonObject(new String(decode(part, what), StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw new Rejected("the Authorization token's " + what + " is not a JSON object");
    }
  }

  private static byte[] decode(String part, String what) {
    try {
      return URL.decode(part);
    } catch (IllegalArgumentException e) {
      throw new Rejected("the Authorization token's " + what + " is not base64url");
    }
  }

  private byte[] hmac(String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(secret);
      return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
