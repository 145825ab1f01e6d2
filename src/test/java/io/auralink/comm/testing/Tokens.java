package io.auralink.comm.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** Mints tokens for tests, good and bad, with the test secret or with generated RSA and EC keys. */
public final class Tokens {

  public static final String ISSUER = "auralink";
  public static final String AUDIENCE = "auralink-comm";

  private final Vertx vertx;

  public Tokens(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Standard claims for a service: valid now for ten minutes. */
  public static JsonObject service(String name, String... scopes) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("sub", name).put("scope", new JsonArray(List.of(scopes)))
      .put("iss", ISSUER).put("aud", AUDIENCE).put("iat", now).put("exp", now + 600);
  }

  public static JsonObject user(String auraId) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("sub", auraId).put("iss", ISSUER).put("aud", AUDIENCE).put("iat", now)
      .put("exp", now + 600);
  }

  public String hs256(JsonObject claims) {
    return hs256(claims, TestNodes.JWT_SECRET);
  }

  public String hs256(JsonObject claims, String secret) {
    return sign(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret), claims);
  }

  public String sign(PubSecKeyOptions key, JsonObject claims) {
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key));
    // noTimestamp: the claims above carry their own iat, exp and nbf, including invalid ones.
    return auth.generateToken(claims, new JWTOptions().setAlgorithm(key.getAlgorithm()).setNoTimestamp(true));
  }

  /** An unsigned token, {@code alg: none}, as an attacker would send it. */
  public static String unsigned(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  /** A generated key pair with its private key as a signing option and its public key written to a file. */
  public record Key(PubSecKeyOptions signing, Path publicFile, String publicPem) {
  }

  /** RSA 2048: public key as a PEM file. */
  public static Key rsa(Path dir) {
    KeyPair pair = generate("RSA", null);
    String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
    return new Key(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded())),
      write(dir.resolve("rsa-public.pem"), publicPem), publicPem);
  }

  /** EC P-256: public key as a JWKS file. */
  public static Key ec(Path dir) {
    KeyPair pair = generate("EC", new ECGenParameterSpec("secp256r1"));
    ECPublicKey key = (ECPublicKey) pair.getPublic();
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    JsonObject jwk = new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", "ES256").put("use", "sig")
      .put("kid", "test-ec").put("x", b64.encodeToString(unsigned32(key.getW().getAffineX())))
      .put("y", b64.encodeToString(unsigned32(key.getW().getAffineY())));
    String jwks = new JsonObject().put("keys", new JsonArray().add(jwk)).encodePrettily();
    return new Key(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded())),
      write(dir.resolve("ec.jwks.json"), jwks), pem("PUBLIC KEY", key.getEncoded()));
  }

  private static byte[] unsigned32(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[32];
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, out, 32 - length, length);
    return out;
  }

  private static KeyPair generate(String algorithm, ECGenParameterSpec spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (spec != null) {
        generator.initialize(spec);
      } else {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }

  private static Path write(Path file, String content) {
    try {
      return Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
