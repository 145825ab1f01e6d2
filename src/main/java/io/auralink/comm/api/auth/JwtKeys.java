package io.auralink.comm.api.auth;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.KeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Turns the JWT configuration into {@link JWTAuthOptions}: the HS256 secret, public keys from PEM files or JWKS
 * files, and the expected issuer, audience and clock skew. Only algorithms on the configured allow-list get a
 * key. Reads key files, so it runs before Vert.x starts (or on a worker).
 */
public final class JwtKeys {

  private static final String PUBLIC_KEYS = AppConfig.Jwt.PUBLIC_KEYS;

  private JwtKeys() {
  }

  /** Options for verifying tokens, with every configured key; fails when none of them is usable. */
  public static JWTAuthOptions verification(AppConfig.Jwt config) {
    // Expiry and not-before are checked by Authentication with the configured skew, so that the caller is told
    // which of the two failed; Vert.x would report both as "expired".
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(claimRules(config).setIgnoreExpiration(true));
    config.secret().filter(s -> config.algorithms().contains("HS256")).ifPresent(secret -> options.addPubSecKey(hmac(secret)));
    for (Path file : config.publicKeyFiles()) {
      String content = read(PUBLIC_KEYS, file);
      if (content.trim().startsWith("{")) {
        jwks(file, content).forEach(jwk -> {
          if (config.algorithms().contains(jwk.getString("alg"))) {
            options.addJwk(jwk);
          }
        });
      } else {
        String alg = algorithmOf(PUBLIC_KEYS, file, content, false);
        if (config.algorithms().contains(alg)) {
          options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(content));
        }
      }
    }
    if (options.getPubSecKeys().isEmpty() && (options.getJwks() == null || options.getJwks().isEmpty())) {
      throw new ConfigException(AppConfig.Jwt.SECRET, "and " + PUBLIC_KEYS + " give no key for the allowed algorithms "
        + config.algorithms() + "; the node refuses to run without token verification keys");
    }
    return options;
  }

  /**
   * Options for minting tokens: the private key named by {@code AURALINK_JWT_SIGNING_KEY} if set, else the HS256
   * secret. Returns the algorithm to sign with beside the options.
   */
  public static Signing signing(AppConfig.Jwt config) {
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(claimRules(config));
    if (config.signingKeyFile().isPresent()) {
      Path file = config.signingKeyFile().get();
      String pem = read("AURALINK_JWT_SIGNING_KEY", file);
      String alg = algorithmOf("AURALINK_JWT_SIGNING_KEY", file, pem, true);
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(pem));
      return new Signing(options, alg);
    }
    String secret = config.secret().orElseThrow(() -> new ConfigException(AppConfig.Jwt.SECRET,
      "or AURALINK_JWT_SIGNING_KEY is needed to mint tokens (public keys can only verify)"));
    return new Signing(options.addPubSecKey(hmac(secret)), "HS256");
  }

  public record Signing(JWTAuthOptions options, String algorithm) {
  }

  private static JWTOptions claimRules(AppConfig.Jwt config) {
    return new JWTOptions()
      .setIssuer(config.issuer())
      .setAudience(List.of(config.audience()))
      .setLeeway((int) config.clockSkew().toSeconds());
  }

  private static PubSecKeyOptions hmac(String secret) {
    return new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret);
  }

  private static List<JsonObject> jwks(Path file, String content) {
    try {
      JsonArray keys = new JsonObject(content).getJsonArray("keys");
      if (keys == null) {
        throw new ConfigException(PUBLIC_KEYS, file + " is JSON but has no \"keys\" array (JWKS)");
      }
      return keys.stream().map(JsonObject.class::cast).map(jwk -> {
        if (!jwk.containsKey("alg")) {
          Optional<String> alg = switch (jwk.getString("kty", "")) {
            case "RSA" -> Optional.of("RS256");
            case "EC" -> Optional.of("ES256");
            default -> Optional.empty();
          };
          alg.ifPresent(a -> jwk.put("alg", a));
        }
        return jwk;
      }).toList();
    } catch (io.vertx.core.json.DecodeException | ClassCastException e) {
      throw new ConfigException(PUBLIC_KEYS, file + " is not a valid JWKS document: " + e.getMessage());
    }
  }

  /** RS256 for an RSA key, ES256 for an EC key; anything else is refused. */
  private static String algorithmOf(String key, Path file, String pem, boolean privateKey) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, file + " is neither a PEM key nor a JWKS document");
    }
    KeySpec spec = privateKey ? new PKCS8EncodedKeySpec(der) : new X509EncodedKeySpec(der);
    for (String[] candidate : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory factory = KeyFactory.getInstance(candidate[0]);
        if (privateKey) {
          factory.generatePrivate(spec);
        } else {
          factory.generatePublic(spec);
        }
        return candidate[1];
      } catch (Exception notThisType) {
        // try the next key type
      }
    }
    throw new ConfigException(key, file + " holds no RSA or EC " + (privateKey ? "PKCS#8 private" : "public") + " key");
  }

  private static String read(String key, Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(key, "names a file that cannot be read: " + file + " (" + e.getMessage() + ")");
    }
  }
}
