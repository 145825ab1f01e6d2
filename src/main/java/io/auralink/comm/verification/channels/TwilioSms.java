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
import io.vertx.ext.auth.authentication.UsernamePasswordCredentials;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SMS codes through Twilio's Messages API ({@code POST /2010-04-01/Accounts/{sid}/Messages.json}, form-encoded,
 * Basic auth), and the check of {@code X-Twilio-Signature} on its status callbacks. Twilio's error codes for a
 * refused recipient become {@code DESTINATION_REJECTED}; anything else is {@code DELIVERY_FAILED}.
 */
public final class TwilioSms implements Channel {

  private static final Logger log = LoggerFactory.getLogger(TwilioSms.class);
  private static final int TIMEOUT_MILLIS = 10_000;
  /** Twilio error codes that mean the recipient cannot take the message, and what we call each. */
  private static final Map<Integer, String> REJECTIONS = Map.of(
    21211, "invalid_number", 21614, "not_a_mobile_number", 21612, "unroutable_number",
    21408, "region_not_enabled", 21608, "unverified_number", 21610, "unsubscribed");

  private final WebClient client;
  private final AppConfig.Verification.Twilio config;

  public TwilioSms(Vertx vertx, AppConfig.Verification.Twilio config, Transport transport) {
    this.client = OutboundTls.webClient(vertx, transport, new WebClientOptions().setConnectTimeout(TIMEOUT_MILLIS));
    this.config = config;
  }

  @Override
  public Future<String> send(String destination, String code, Duration validFor) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
      .add("To", destination)
      .add("From", config.from())
      .add("Body", "Your AuraLink verification code is " + code + ". It is valid for "
        + Math.max(1, validFor.toMinutes()) + " minutes.");
    config.statusCallbackUrl().ifPresent(url -> form.add("StatusCallback", url));
    String url = config.baseUrl() + "/2010-04-01/Accounts/" + config.accountSid() + "/Messages.json";
    return client.postAbs(url)
      .authentication(new UsernamePasswordCredentials(config.accountSid(), config.authToken()))
      .timeout(TIMEOUT_MILLIS)
      .sendForm(form)
      .recover(failure -> {
        log.warn("Twilio could not be reached for an SMS to {}: {}", Destinations.mask("phone", destination),
          failure.getMessage());
        return VerificationError.DELIVERY_FAILED.fail("the SMS provider could not be reached; nothing was sent",
          new JsonObject().put("provider", "twilio"));
      })
      .compose(response -> answer(response, destination));
  }

  private Future<String> answer(HttpResponse<Buffer> response, String destination) {
    JsonObject body = json(response);
    if (response.statusCode() == 201 || response.statusCode() == 200) {
      return Future.succeededFuture(body.getString("sid"));
    }
    Integer code = body.getInteger("code");
    String reason = code == null ? null : REJECTIONS.get(code);
    log.warn("Twilio refused an SMS to {}: HTTP {} code {} {}", Destinations.mask("phone", destination),
      response.statusCode(), code, body.getString("message"));
    if (reason != null) {
      return VerificationError.DESTINATION_REJECTED.fail("the SMS provider refused the number (" + reason + ")",
        new JsonObject().put("field", "destination").put("reason", reason).put("provider_code", code));
    }
    return VerificationError.DELIVERY_FAILED.fail("the SMS provider did not take the message; nothing was sent",
      new JsonObject().put("provider", "twilio").put("provider_code", code));
  }

  private static JsonObject json(HttpResponse<Buffer> response) {
    try {
      return response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  /**
   * Whether {@code signature} is Twilio's for a form POST to {@code url}: Base64 of HMAC-SHA1 under the auth token
   * over the URL followed by every parameter name and value, sorted by name; compared in constant time.
   */
  public boolean signatureValid(String url, JsonObject form, String signature) {
    if (signature == null || url == null) {
      return false;
    }
    StringBuilder signed = new StringBuilder(url);
    new TreeMap<>(form.getMap()).forEach((name, value) -> signed.append(name).append(value));
    return MessageDigest.isEqual(sign(config.authToken(), signed.toString()).getBytes(StandardCharsets.UTF_8),
      signature.getBytes(StandardCharsets.UTF_8));
  }

  /** The status callback URL Twilio is given, which its signature covers. */
  public Optional<String> statusCallbackUrl() {
    return config.statusCallbackUrl();
  }

  static String sign(String key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
    }
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
