package io.auralink.comm.api.auth;

import io.auralink.comm.api.ApiException;
import io.auralink.comm.api.EdgeError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.SecurityRequirement;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bearer-token (or, for services, client-certificate: {@link ClientCertificates}) authentication and authorisation
 * for one operation, driven by the operation's security
 * requirements in the OpenAPI document: {@code serviceToken: [scopes…]} is met by a service token holding every
 * listed scope, {@code userToken: []} by any user token; meeting one requirement is enough.
 * Missing or invalid tokens are 401 with {@code WWW-Authenticate}; a valid token that meets no requirement is 403.
 */
public final class Authentication {

  public static final String SERVICE_TOKEN = "serviceToken";
  public static final String USER_TOKEN = "userToken";

  private static final String REALM = "Bearer realm=\"auralink\"";

  /** Verified tokens kept per verticle instance (one event loop, so no locking). */
  private static final int VERIFIED_CACHE_SIZE = 10_000;

  /** The longest token lifetimes accepted by default (see {@code AURALINK_JWT_MAX_*_TOKEN_LIFETIME}). */
  public static final Duration DEFAULT_MAX_USER_LIFETIME = Duration.ofHours(24);
  public static final Duration DEFAULT_MAX_SERVICE_LIFETIME = Duration.ofDays(30);

  private final JWTAuth jwt;
  private final Set<String> algorithms;
  private final Duration clockSkew;
  private final Duration maxUserLifetime;
  private final Duration maxServiceLifetime;
  /**
   * Services send the same token for many requests: a token verified once is remembered until it expires, so that
   * its signature and claims are not checked again on every request. The key is the whole token, signature
   * included, so nothing unverified can match it; expiry is checked again on every use.
   */
  private final Map<String, Principal> verifiedTokens = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Principal> eldest) {
      return size() > VERIFIED_CACHE_SIZE;
    }
  };

  private final ClientCertificates certificates;

  public Authentication(JWTAuth jwt, List<String> algorithms, Duration clockSkew) {
    this(jwt, algorithms, clockSkew, DEFAULT_MAX_USER_LIFETIME, DEFAULT_MAX_SERVICE_LIFETIME, ClientCertificates.none());
  }

  public Authentication(JWTAuth jwt, List<String> algorithms, Duration clockSkew, Duration maxUserLifetime,
                        Duration maxServiceLifetime, ClientCertificates certificates) {
    this.certificates = certificates;
    this.jwt = jwt;
    this.algorithms = Set.copyOf(algorithms);
    this.clockSkew = clockSkew;
    this.maxUserLifetime = maxUserLifetime;
    this.maxServiceLifetime = maxServiceLifetime;
  }

  /** The handler guarding an operation with these requirements. */
  public Handler<RoutingContext> guard(List<SecurityRequirement> requirements) {
    for (SecurityRequirement requirement : requirements) {
      for (String scheme : requirement.getNames()) {
        if (!SERVICE_TOKEN.equals(scheme) && !USER_TOKEN.equals(scheme)) {
          throw new IllegalArgumentException("unknown security scheme in openapi.yaml: " + scheme);
        }
      }
    }
    return ctx -> authenticate(ctx.request())
      .onSuccess(principal -> {
        ctx.put(Principal.CONTEXT_KEY, principal);
        if (requirements.stream().anyMatch(r -> satisfies(principal, r))) {
          ctx.next();
        } else {
          ctx.fail(ApiException.forbidden("this token may not call this operation",
            new JsonObject().put("accepted", describe(requirements))));
        }
      })
      .onFailure(e -> {
        ApiException failure = e instanceof ApiException api ? api : invalid("token is invalid");
        ctx.response().putHeader("WWW-Authenticate", EdgeError.AUTH_REQUIRED.name().equals(failure.code())
          ? REALM
          : REALM + ", error=\"invalid_token\", error_description=\"" + failure.getMessage().replace('"', '\'') + "\"");
        ctx.fail(failure);
      });
  }

  /**
   * A bearer token when the request has one (it names the caller explicitly), else the connection's client
   * certificate when client certificates are on and one was presented.
   */
  private Future<Principal> authenticate(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null) {
      Optional<Future<Principal>> byCertificate = certificates.principal(request);
      if (byCertificate.isPresent()) {
        return byCertificate.get();
      }
    }
    return authenticate(header);
  }

  /**
   * Verifies a bearer header; the future fails with a 401 {@link ApiException} saying why. Whatever goes wrong
   * while reading a token (a claim of the wrong type, a date out of range) is a 401 too, never a 500: the token
   * comes from the caller.
   */
  Future<Principal> authenticate(String header) {
    try {
      return verify(header).recover(e -> Future.failedFuture(e instanceof ApiException ? e : invalid("token is invalid")));
    } catch (RuntimeException e) {
      return Future.failedFuture(invalid("token is invalid"));
    }
  }

  private Future<Principal> verify(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
      return Future.failedFuture(ApiException.unauthorized(EdgeError.AUTH_REQUIRED, "a Bearer token is required"));
    }
    String token = header.substring(7).trim();
    Principal known = verifiedTokens.get(token);
    if (known != null) {
      if (Instant.now().getEpochSecond() - clockSkew.toSeconds() < known.expiresAt().getEpochSecond()) {
        return Future.succeededFuture(known);
      }
      verifiedTokens.remove(token);
      return Future.failedFuture(invalid("token expired"));
    }
    JsonObject joseHeader = headerOf(token);
    if (joseHeader == null) {
      return Future.failedFuture(invalid("token is malformed"));
    }
    String algorithm = joseHeader.getValue("alg") instanceof String alg ? alg : "missing";
    if (joseHeader.containsKey("crit")) {
      // RFC 7515 §4.1.11: a token naming extensions that must be understood is refused by a verifier that
      // understands none of them.
      return Future.failedFuture(invalid("token names critical extensions (crit) this service does not understand"));
    }
    if (!algorithms.contains(algorithm)) {
      // The alg comes from the caller: echo it only if it looks like an algorithm name.
      return Future.failedFuture(invalid(algorithm.matches("[A-Za-z0-9]{1,16}")
        ? "algorithm " + algorithm + " is not accepted" : "token algorithm is not accepted"));
    }
    Future<User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // Vert.x throws instead of failing on some malformed claims (e.g. "exp": null): still just a bad token.
      verified = Future.failedFuture(e);
    }
    return verified
      .recover(e -> Future.failedFuture(invalid(reason(e))))
      .compose(user -> {
        JsonObject claims = user.attributes().getJsonObject("accessToken");
        try {
          checkTimes(claims);
          Principal principal = Principal.fromClaims(claims);
          checkLifetime(claims, principal);
          verifiedTokens.put(token, principal);
          return Future.succeededFuture(principal);
        } catch (IllegalArgumentException e) {
          return Future.failedFuture(invalid(e.getMessage()));
        } catch (RuntimeException e) {
          return Future.failedFuture(invalid("token is invalid"));
        }
      });
  }

  /**
   * A token may not live longer than its kind allows: {@code exp} counted from {@code iat}, or from now without one.
   * A stolen token is then useful for a bounded time, and an absurd {@code exp} (2^63 - 1, 1e20) is refused here.
   */
  private void checkLifetime(JsonObject claims, Principal principal) {
    Duration max = principal.isService() ? maxServiceLifetime : maxUserLifetime;
    long from = claims.getValue("iat") instanceof Number iat ? iat.longValue() : Instant.now().getEpochSecond();
    long exp = seconds(claims, "exp");
    // Exact arithmetic: an iat of -2^63 must not wrap around into a short lifetime (an overflow is a 401 too).
    if (Math.subtractExact(exp, from) > max.toSeconds() + clockSkew.toSeconds()) {
      throw new IllegalArgumentException("token lifetime is longer than the " + max.toHours() + " h allowed for "
        + (principal.isService() ? "service" : "user") + " tokens");
    }
  }

  /** A numeric date claim as whole seconds; anything else (a string, a boolean) is no date. */
  private static Long seconds(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw new IllegalArgumentException("token " + name + " claim is not a number of seconds");
    }
    return number.longValue();
  }

  private void checkTimes(JsonObject claims) {
    long now = Instant.now().getEpochSecond();
    long skew = clockSkew.toSeconds();
    Long exp = seconds(claims, "exp");
    if (exp == null) {
      throw new IllegalArgumentException("token has no exp claim; tokens must expire");
    }
    if (now - skew >= exp) {
      throw new IllegalArgumentException("token expired");
    }
    Long nbf = seconds(claims, "nbf");
    if (nbf != null && now + skew < nbf) {
      throw new IllegalArgumentException("token not yet valid");
    }
    Long iat = seconds(claims, "iat");
    if (iat != null && now + skew < iat) {
      throw new IllegalArgumentException("token issued in the future");
    }
  }

  private static boolean satisfies(Principal principal, SecurityRequirement requirement) {
    return requirement.getNames().stream().allMatch(scheme -> switch (scheme) {
      case SERVICE_TOKEN -> principal.isService() && principal.scopes().containsAll(requirement.getScopes(scheme));
      case USER_TOKEN -> !principal.isService();
      default -> false;
    });
  }

  private static JsonArray describe(List<SecurityRequirement> requirements) {
    JsonArray accepted = new JsonArray();
    for (SecurityRequirement requirement : requirements) {
      JsonObject entry = new JsonObject();
      requirement.getNames().forEach(scheme -> entry.put(scheme, new JsonArray(requirement.getScopes(scheme))));
      accepted.add(entry);
    }
    return accepted;
  }

  /**
   * The token's JOSE header, read before any verification to enforce the algorithm allow-list and {@code crit};
   * null if unreadable.
   */
  private static JsonObject headerOf(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return null;
    }
    try {
      String header = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
      return new JsonObject(header);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String reason(Throwable e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.contains("audience")) {
      return "token audience is not accepted";
    }
    if (message.contains("issuer")) {
      return "token issuer is not accepted";
    }
    if (message.toLowerCase().contains("signature")) {
      return "token signature is invalid";
    }
    return "token is invalid";
  }

  private static ApiException invalid(String reason) {
    return ApiException.unauthorized(EdgeError.INVALID_TOKEN, reason);
  }
}
