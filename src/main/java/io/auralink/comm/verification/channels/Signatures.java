package io.auralink.comm.verification.channels;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/** HMAC helpers shared by the providers' webhook checks; comparisons are constant-time. */
final class Signatures {

  private Signatures() {
  }

  static byte[] hmac(String algorithm, String key, String data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is part of every Java runtime", e);
    }
  }

  static String hmacSha256Hex(String key, String data) {
    return HexFormat.of().formatHex(hmac("HmacSHA256", key, data));
  }

  static boolean equal(String expected, String given) {
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
      given.getBytes(StandardCharsets.UTF_8));
  }
}
