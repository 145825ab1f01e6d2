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

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Social checks: the OAuth 2.0 authorization code flow with PKCE (S256) against configured providers, then the
 * provider's OIDC UserInfo for the person's stable subject. The state and the code verifier are 256 random bits
 * each, base64url (43 characters).
 */
public final class SocialOAuth {

  private static final Logger log = LoggerFactory.getLogger(SocialOAuth.class);
  private static final int TIMEOUT_MILLIS = 10_000;
  private static final int RANDOM_BYTES = 32;

  private final WebClient client;
  private final Map<String, AppConfig.Verification.OAuthProvider> providers;
  private final URI callbackUrl;
  private final SecureRandom random = new SecureRandom();

  public SocialOAuth(Vertx vertx, Map<String, AppConfig.Verification.OAuthProvider> providers, URI callbackUrl,
                     Transport transport) {
    this.client = OutboundTls.webClient(vertx, transport, new WebClientOptions().setConnectTimeout(TIMEOUT_MILLIS));
    this.providers = providers;
    this.callbackUrl = callbackUrl;
  }

  public Optional<AppConfig.Verification.OAuthProvider> provider(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  public Set<String> providerNames() {
    return providers.keySet();
  }

  public String newSecret() {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** {@code BASE64URL(SHA256(ASCII(verifier)))} without padding (RFC 7636 §4.2). */
  public static String s256(String verifier) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
        MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** The authorization request the person's browser is sent to. */
  public String authorizeUrl(AppConfig.Verification.OAuthProvider provider, String state, String verifier) {
    String base = provider.authorizeUrl().toString();
    return base + (base.contains("?") ? "&" : "?")
      + "response_type=code"
      + "&client_id=" + enc(provider.clientId())
      + "&redirect_uri=" + enc(callbackUrl.toString())
      + "&scope=" + enc(provider.scope())
      + "&state=" + enc(state)
      + "&code_challenge=" + enc(s256(verifier))
      + "&code_challenge_method=S256";
  }

  /** Trades the code (with its verifier) for an access token, then answers the UserInfo {@code sub}. */
  public Future<String> subject(AppConfig.Verification.OAuthProvider provider, String code, String verifier) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
      .add("grant_type", "authorization_code")
      .add("code", code)
      .add("redirect_uri", callbackUrl.toString())
      .add("client_id", provider.clientId())
      .add("code_verifier", verifier);
    provider.clientSecret().ifPresent(secret -> form.add("client_secret", secret));
    return client.postAbs(provider.tokenUrl().toString()).putHeader("Accept", "application/json")
      .timeout(TIMEOUT_MILLIS).sendForm(form)
      .recover(failure -> unreachable(provider, failure))
      .compose(response -> {
        JsonObject body = json(response);
        String token = body.getString("access_token");
        if (response.statusCode() != 200 || token == null) {
          log.warn("the OAuth provider {} refused the code exchange: HTTP {} {}", provider.name(),
            response.statusCode(), body.getString("error"));
          return VerificationError.DELIVERY_FAILED.fail("the provider refused the code exchange",
            new JsonObject().put("provider", provider.name()).put("provider_code", body.getString("error")));
        }
        return client.getAbs(provider.userinfoUrl().toString()).bearerTokenAuthentication(token)
          .putHeader("Accept", "application/json").timeout(TIMEOUT_MILLIS).send()
          .recover(failure -> unreachable(provider, failure));
      })
      .compose(response -> {
        String sub = json(response).getString("sub");
        if (response.statusCode() != 200 || sub == null || sub.isBlank()) {
          log.warn("the OAuth provider {} gave no subject: HTTP {}", provider.name(), response.statusCode());
          return VerificationError.DELIVERY_FAILED.fail("the provider's UserInfo gave no subject",
            new JsonObject().put("provider", provider.name()));
        }
        return Future.succeededFuture(sub);
      });
  }

  private static <T> Future<T> unreachable(AppConfig.Verification.OAuthProvider provider, Throwable failure) {
    log.warn("the OAuth provider {} could not be reached: {}", provider.name(), failure.getMessage());
    return VerificationError.DELIVERY_FAILED.fail("the provider could not be reached",
      new JsonObject().put("provider", provider.name()));
  }

  private static JsonObject json(HttpResponse<Buffer> response) {
    try {
      JsonObject body = response.bodyAsJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  public void close() {
    client.close();
  }
}
