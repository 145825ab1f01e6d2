package io.auralink.comm.api.auth;

import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.time.Duration;
import java.util.List;

/** Mints service and user tokens with the key the node verifies with; for operators, tests and benchmarks. */
public final class TokenMinter {

  private final JWTAuth auth;
  private final AppConfig.Jwt config;
  private final String algorithm;

  public TokenMinter(Vertx vertx, AppConfig.Jwt config) {
    JwtKeys.Signing signing = JwtKeys.signing(config);
    this.auth = JWTAuth.create(vertx, signing.options());
    this.config = config;
    this.algorithm = signing.algorithm();
  }

  public String service(String name, List<String> scopes, Duration ttl) {
    if (!Principal.SERVICE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a service name: " + name
        + " (a letter or digit, then up to 63 letters, digits, dots, underscores or hyphens)");
    }
    checkTtl(ttl, true);
    return mint(new JsonObject().put("sub", name).put("scope", new JsonArray(scopes)), ttl);
  }

  public String user(String auraId, Duration ttl) {
    if (!Principal.AURA_ID.matcher(auraId).matches()) {
      throw new IllegalArgumentException("not an AuraID: " + auraId + " (expected @name.aura, lower case)");
    }
    checkTtl(ttl, false);
    return mint(new JsonObject().put("sub", auraId), ttl);
  }

  /** A token longer-lived than the node accepts would be refused on its first use: say so now. */
  private void checkTtl(Duration ttl, boolean service) {
    Duration max = config.maxTokenLifetime(service);
    if (ttl.compareTo(max) > 0) {
      throw new IllegalArgumentException("--ttl " + ttl + " is longer than "
        + (service ? AppConfig.Jwt.MAX_SERVICE_TOKEN_LIFETIME : AppConfig.Jwt.MAX_USER_TOKEN_LIFETIME) + " (" + max + ")");
    }
  }

  private String mint(JsonObject claims, Duration ttl) {
    return auth.generateToken(claims, new JWTOptions()
      .setAlgorithm(algorithm)
      .setIssuer(config.issuer())
      .setAudience(List.of(config.audience()))
      .setExpiresInSeconds((int) ttl.toSeconds()));
  }
}
