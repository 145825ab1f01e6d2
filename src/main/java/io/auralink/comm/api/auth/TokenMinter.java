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
    return mint(new JsonObject().put("sub", name).put("scope", new JsonArray(scopes)), ttl);
  }

  public String user(String auraId, Duration ttl) {
    if (!Principal.AURA_ID.matcher(auraId).matches()) {
      throw new IllegalArgumentException("not an AuraID: " + auraId + " (expected @name.aura, lower case)");
    }
    return mint(new JsonObject().put("sub", auraId), ttl);
  }

  private String mint(JsonObject claims, Duration ttl) {
    return auth.generateToken(claims, new JWTOptions()
      .setAlgorithm(algorithm)
      .setIssuer(config.issuer())
      .setAudience(List.of(config.audience()))
      .setExpiresInSeconds((int) ttl.toSeconds()));
  }
}
