package io.auralink.comm.verification.channels;

import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.verification.VerificationError;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Document checks through Stripe Identity: a verification session per challenge (its hosted {@code url} is handed
 * to the person; its {@code client_secret} is never read, kept or logged), and the check of {@code Stripe-Signature}
 * on its webhooks: {@code t=…,v1=…}, HMAC-SHA256 hex over {@code t.body} keyed with the endpoint secret as is, any
 * {@code v1} may match, and {@code t} must be within five minutes.
 */
public final class StripeIdentity {

  private static final Logger log = LoggerFactory.getLogger(StripeIdentity.class);
  public static final Duration TOLERANCE = Duration.ofMinutes(5);
  private static final int TIMEOUT_MILLIS = 10_000;

  /** A session Stripe created: its id and the hosted flow's URL. */
  public record Session(String id, String url) {
  }

  private final WebClient client;
  private final AppConfig.Verification.Stripe config;

  public StripeIdentity(Vertx vertx, AppConfig.Verification.Stripe config, Transport transport) {
    this.client = OutboundTls.webClient(vertx, transport, new WebClientOptions().setConnectTimeout(TIMEOUT_MILLIS));
    this.config = config;
  }

  public Duration sessionTtl() {
    return config.sessionTtl();
  }

  /** Creates a document session for the challenge; {@code returnUrl} is where Stripe sends the person after. */
  public Future<Session> createSession(String challengeId, String auraId, String returnUrl) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
      .add("type", "document")
      .add("client_reference_id", challengeId)
      .add("metadata[challenge_id]", challengeId)
      .add("metadata[aura_id]", auraId);
    if (returnUrl != null) {
      form.add("return_url", returnUrl);
    }
    return client.postAbs(config.baseUrl() + "/v1/identity/verification_sessions")
      .bearerTokenAuthentication(config.secretKey())
      .putHeader("Idempotency-Key", challengeId)
      .timeout(TIMEOUT_MILLIS)
      .sendForm(form)
      .recover(failure -> {
        log.warn("Stripe could not be reached for a verification session: {}", failure.getMessage());
        return VerificationError.DELIVERY_FAILED.fail("Stripe could not be reached; no session was created",
          new JsonObject().put("provider", "stripe"));
      })
      .compose(this::session);
  }

  private Future<Session> session(HttpResponse<Buffer> response) {
    JsonObject body;
    try {
      body = response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (response.statusCode() == 200 && body != null && body.getString("id") != null && body.getString("url") != null) {
      return Future.succeededFuture(new Session(body.getString("id"), body.getString("url")));
    }
    JsonObject error = body == null ? new JsonObject() : body.getJsonObject("error", new JsonObject());
    log.warn("Stripe refused a verification session: HTTP {} {} {}", response.statusCode(), error.getString("type"),
      error.getString("message"));
    return VerificationError.DELIVERY_FAILED.fail("Stripe did not create a verification session",
      new JsonObject().put("provider", "stripe").put("provider_code", error.getString("code")));
  }

  /** Whether {@code header} signs {@code body} now; empty if it does, else why not. */
  public Optional<String> rejection(String header, String body, Instant now) {
    if (header == null || header.isBlank()) {
      return Optional.of("Stripe-Signature is missing");
    }
    Long timestamp = null;
    List<String> signatures = new ArrayList<>();
    for (String part : header.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      if (name.equals("t")) {
        try {
          timestamp = Long.parseLong(value);
        } catch (NumberFormatException e) {
          return Optional.of("Stripe-Signature has a malformed timestamp");
        }
      } else if (name.equals("v1")) {
        signatures.add(value);
      }
    }
    if (timestamp == null || signatures.isEmpty()) {
      return Optional.of("Stripe-Signature lacks t or v1");
    }
    if (Math.abs(now.getEpochSecond() - timestamp) > TOLERANCE.toSeconds()) {
      return Optional.of("Stripe-Signature's timestamp is outside the five-minute tolerance");
    }
    String expected = Signatures.hmacSha256Hex(config.webhookSecret(), timestamp + "." + body);
    boolean any = false;
    for (String signature : signatures) {
      any |= Signatures.equal(expected, signature);
    }
    return any ? Optional.empty() : Optional.of("no v1 signature of Stripe-Signature matches");
  }

  public void close() {
    client.close();
  }
}
