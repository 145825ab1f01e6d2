package io.auralink.comm.api.auth;

import io.auralink.comm.platform.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is calling, read from a verified token. A service token names the service in {@code sub} and carries a
 * {@code scope} list (a JSON array or an OAuth-style space-separated string); a user token's {@code sub} is the
 * caller's AuraID and it acts only as that AuraID.
 */
public record Principal(Kind kind, String subject, Set<String> scopes, Instant expiresAt, Caller caller) {

  /** Where the authentication handler leaves the principal in the routing context. */
  public static final String CONTEXT_KEY = "auralink.principal";

  /** The one AuraID grammar: {@code @} + lower-case username of 3–20 characters + {@code .aura}. */
  public static final Pattern AURA_ID = Pattern.compile("^@[a-z0-9][a-z0-9_]{2,19}\\.aura$");
  /**
   * A service's name: a letter or digit, then up to 63 letters, digits, dots, underscores or hyphens. It is logged
   * and shown with every request, so nothing that could forge a log line or pass for an AuraID.
   */
  public static final Pattern SERVICE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");
  /** A scope: printable ASCII without space, quote or backslash (RFC 6749 §3.3's scope-token), at most 128. */
  public static final Pattern SCOPE = Pattern.compile("^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}$");

  public enum Kind {
    SERVICE, USER;

    public String id() {
      return name().toLowerCase();
    }
  }

  /** The caller every domain is told about is built once with the principal (verified tokens are cached). */
  public Principal(Kind kind, String subject, Set<String> scopes, Instant expiresAt) {
    this(kind, subject, scopes, expiresAt,
      kind == Kind.USER ? Caller.person(subject) : Caller.service(subject, scopes));
  }

  /** Builds the principal from verified, unexpired claims, or explains why they do not describe one. */
  static Principal fromClaims(JsonObject claims) {
    if (!(claims.getValue("sub") instanceof String subject) || subject.isBlank()) {
      throw new IllegalArgumentException("token has no sub claim");
    }
    Kind kind = subject.startsWith("@") ? Kind.USER : Kind.SERVICE;
    if (kind == Kind.USER && !AURA_ID.matcher(subject).matches()) {
      throw new IllegalArgumentException("user token sub is not an AuraID");
    }
    if (kind == Kind.SERVICE && !SERVICE_NAME.matcher(subject).matches()) {
      throw new IllegalArgumentException("service token sub is not a service name (letters, digits, . _ -; at most 64)");
    }
    return new Principal(kind, subject, scopes(claims.getValue("scope")), Instant.ofEpochSecond(claims.getLong("exp")));
  }

  private static Set<String> scopes(Object claim) {
    Set<String> scopes = new LinkedHashSet<>();
    if (claim instanceof JsonArray array) {
      array.forEach(s -> scopes.add(String.valueOf(s)));
    } else if (claim instanceof String text) {
      Arrays.stream(text.trim().split("[ ]+")).filter(s -> !s.isEmpty()).forEach(scopes::add);
    } else if (claim != null) {
      throw new IllegalArgumentException("token scope claim is neither a list nor a space-separated string");
    }
    for (String scope : scopes) {
      if (!SCOPE.matcher(scope).matches()) {
        throw new IllegalArgumentException("token scope claim holds a malformed scope");
      }
    }
    return Set.copyOf(scopes);
  }

  public boolean isService() {
    return kind == Kind.SERVICE;
  }

  public boolean hasScope(String scope) {
    return scopes.contains(scope);
  }

  /** A short form for logs: {@code service:dashboard} or {@code user:@alice.aura}. */
  public String logName() {
    return kind.id() + ":" + subject;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("kind", kind.id())
      .put("subject", subject)
      .put("scopes", new JsonArray(scopes.stream().sorted().toList()))
      .put("expires_at", expiresAt.toString());
    if (kind == Kind.USER) {
      json.put("aura_id", subject);
    }
    return json;
  }
}
