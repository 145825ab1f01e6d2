package io.auralink.comm.verification.channels;

import io.auralink.comm.platform.config.AppConfig;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A liveness (biometric) provider. A check starts with a random single-use nonce (never a code) handed to the
 * person with the provider's URL; the provider posts the result with the nonce, signed
 * {@code X-Liveness-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>}. The signature has no timestamp: a
 * replay is refused because the nonce's challenge completes only once.
 */
public final class LivenessProvider {

  public static final String SIGNATURE_PREFIX = "sha256=";
  private static final int NONCE_BYTES = 32;

  private final AppConfig.Verification.Liveness config;
  private final SecureRandom random = new SecureRandom();

  public LivenessProvider(AppConfig.Verification.Liveness config) {
    this.config = config;
  }

  public Duration sessionTtl() {
    return config.sessionTtl();
  }

  public String newNonce() {
    byte[] bytes = new byte[NONCE_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Where the person goes to take the check. */
  public String url(String nonce) {
    String base = config.url().toString();
    return base + (base.contains("?") ? "&" : "?") + "nonce=" + URLEncoder.encode(nonce, StandardCharsets.UTF_8);
  }

  public boolean signatureValid(String header, String body) {
    return header != null && Signatures.equal(SIGNATURE_PREFIX
      + Signatures.hmacSha256Hex(config.webhookSecret(), body), header.trim());
  }
}
