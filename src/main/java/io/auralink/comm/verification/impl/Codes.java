package io.auralink.comm.verification.impl;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Verification codes: six digits from a CSPRNG, kept only as an HMAC-SHA256 under the server's key (bound to the
 * challenge id, so a hash says nothing about another challenge), compared in constant time. The same key also
 * names destinations in Redis without putting an address there.
 */
final class Codes {

  static final int DIGITS = 6;
  private static final int BOUND = 1_000_000;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  Codes(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  String newCode() {
    return String.format("%06d", random.nextInt(BOUND));
  }

  byte[] hash(String challengeId, String code) {
    return mac("code:" + challengeId + ":" + code);
  }

  boolean matches(byte[] stored, String challengeId, String code) {
    return stored != null && MessageDigest.isEqual(stored, hash(challengeId, code));
  }

  /** A stable, keyed name for a destination: the throttle key, never the address itself. */
  String destinationKey(String method, String destination) {
    return HexFormat.of().formatHex(mac("destination:" + method + ":" + destination));
  }

  private byte[] mac(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
