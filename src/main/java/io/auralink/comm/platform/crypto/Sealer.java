package io.auralink.comm.platform.crypto;

import io.auralink.comm.platform.config.AppConfig;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Seals sensitive column values at rest: AES-256-GCM under the current data key, a random 96-bit nonce per value,
 * and associated data naming the table, column and row, so that a ciphertext copied to another row or column does
 * not open. A sealed value is text: {@code v1:<key id>:<base64url(nonce | ciphertext | tag)>}; the key id beside it
 * is what lets a rotation find and rewrite values of older keys, and lets reads open them meanwhile.
 * <p>
 * Equality lookups ("is this number verified by someone else") use {@link #lookup}, a keyed HMAC-SHA256 under a key
 * of its own, never the plaintext. Both are cheap enough for an event loop: a value here is a short string (an
 * address, a phone number, a 46-character secret), and sealing or opening it costs about 5 µs of CPU (an HMAC
 * under 1 µs; see SECURITY.md), less than decoding the row it came in. Batch re-encryption runs on workers anyway.
 * Thread-safe: {@link Cipher} and {@link Mac} are made per call (cheap; they are not thread-safe).
 */
public final class Sealer {

  static final String VERSION = "v1";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final Map<String, SecretKeySpec> keys;
  private final String currentKeyId;
  private final SecretKeySpec lookupKey;
  private final SecureRandom random = new SecureRandom();

  public Sealer(Map<String, byte[]> keys, String currentKeyId, byte[] lookupKey) {
    if (!keys.containsKey(currentKeyId)) {
      throw new IllegalArgumentException("the current key " + currentKeyId + " is not among the keys");
    }
    Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
    keys.forEach((kid, key) -> specs.put(kid, new SecretKeySpec(key, "AES")));
    this.keys = Map.copyOf(specs);
    this.currentKeyId = currentKeyId;
    this.lookupKey = new SecretKeySpec(lookupKey, "HmacSHA256");
  }

  /** The node's sealer; fails naming the setting when no keys are configured. */
  public static Sealer from(AppConfig.DataProtection config) {
    if (!config.configured()) {
      throw new IllegalStateException(AppConfig.DataProtection.KEYS + " is required where the verification or "
        + "notification role runs");
    }
    return new Sealer(config.keys(), config.currentKeyId(), config.lookupKey());
  }

  /**
   * Seals and opens a value under every configured key and computes a digest, on the calling thread: at start, on a
   * worker, so that the JDK's first use of AES-GCM (provider loading, intrinsics) never lands on an event loop.
   */
  public void selfTest() {
    Field field = new Field("self_test", "value");
    for (String kid : keys.keySet()) {
      Sealer under = new Sealer(Map.of(kid, keys.get(kid).getEncoded()), kid, lookupKey.getEncoded());
      if (!"self-test".equals(under.open(field, under.seal(field, "self-test", kid), kid))) {
        throw new IllegalStateException("AES-GCM did not round-trip under key " + kid);
      }
    }
    lookup("self-test", "self-test");
  }

  public String currentKeyId() {
    return currentKeyId;
  }

  public Set<String> keyIds() {
    return keys.keySet();
  }

  /** Seals {@code plaintext} (null stays null) for one column of one row, under the current key. */
  public String seal(Field field, String plaintext, String... rowKey) {
    if (plaintext == null) {
      return null;
    }
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(field.associatedData(rowKey));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
      return VERSION + ":" + currentKeyId + ":" + B64.encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  /**
   * Opens a value sealed for this column and row (null stays null), under whichever configured key it names.
   *
   * @throws UnreadableValueException if it names a key not configured, is malformed, or does not authenticate
   *                                  (tampered, or sealed for another row or column)
   */
  public String open(Field field, String sealed, String... rowKey) {
    if (sealed == null) {
      return null;
    }
    String[] parts = sealed.split(":", 3);
    if (parts.length != 3 || !parts[0].equals(VERSION)) {
      throw new UnreadableValueException(field + ": not a sealed value");
    }
    SecretKeySpec key = keys.get(parts[1]);
    if (key == null) {
      throw new UnreadableValueException(field + ": sealed under key '" + parts[1] + "', which "
        + AppConfig.DataProtection.KEYS + " does not list");
    }
    byte[] bytes;
    try {
      bytes = B64D.decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new UnreadableValueException(field + ": not a sealed value");
    }
    if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new UnreadableValueException(field + ": too short to be a sealed value");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
      cipher.updateAAD(field.associatedData(rowKey));
      return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new UnreadableValueException(field + ": does not authenticate (altered, or sealed for another row)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  /**
   * What identifies one opening of a value: its column, its row and its sealed text. A cache of opened values must
   * be keyed by all three, never by the text alone, or a text copied to another row would open there from the cache.
   */
  public static String openingKey(Field field, String sealed, String... rowKey) {
    return new String(field.associatedData(rowKey), StandardCharsets.UTF_8) + sealed;
  }

  /** The key id a sealed value names; null for null. */
  public static String keyId(String sealed) {
    if (sealed == null) {
      return null;
    }
    String[] parts = sealed.split(":", 3);
    return parts.length == 3 ? parts[1] : null;
  }

  /** Whether a sealed value is under the current key (null needs nothing). */
  public boolean isCurrent(String sealed) {
    return sealed == null || currentKeyId.equals(keyId(sealed));
  }

  /** Opens under its own key and seals again under the current one. */
  public String reseal(Field field, String sealed, String... rowKey) {
    return isCurrent(sealed) ? sealed : seal(field, open(field, sealed, rowKey), rowKey);
  }

  /**
   * The keyed digest equality lookups compare: HMAC-SHA256 under the lookup key over the purpose and the value (the
   * purpose keeps digests of one kind of value from matching another's). Null stays null.
   */
  public byte[] lookup(String purpose, String value) {
    if (value == null) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(lookupKey);
      mac.update(purpose.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /** A sealed column: its table and logical column name, which the associated data binds every value to. */
  public record Field(String table, String column) {

    /** {@code v1|table.column|} then each row-key part length-prefixed, so that no two rows' data coincide. */
    byte[] associatedData(String... rowKey) {
      StringBuilder aad = new StringBuilder(VERSION).append('|').append(table).append('.').append(column).append('|');
      for (String part : rowKey) {
        aad.append(part.length()).append(':').append(part).append('|');
      }
      return aad.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return table + "." + column;
    }
  }
}
