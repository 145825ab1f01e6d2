package io.auralink.comm.platform.crypto;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealing round-trips, names its key, binds each value to its row and column, and notices any alteration. */
class SealerTest {

  private static final byte[] K1 = filled(1);
  private static final byte[] K2 = filled(2);
  private static final byte[] LOOKUP = filled(9);
  private static final Sealer.Field EMAIL = new Sealer.Field("verification_challenges", "destination");
  private static final Sealer.Field SECRET = new Sealer.Field("notification_apps", "signing_secret");

  private static byte[] filled(int value) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) value);
    return key;
  }

  private static Sealer underK1() {
    return new Sealer(Map.of("k1", K1), "k1", LOOKUP);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "alice@example.com", "+14155550123", "google:1234567890",
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "ünïcødé ✓ 𝄞", "v1:k1:looks-sealed-but-is-not"})
  void a_value_round_trips_and_names_its_key(String plaintext) {
    Sealer sealer = underK1();
    String sealed = sealer.seal(EMAIL, plaintext, "row-1");
    assertTrue(sealed.startsWith("v1:k1:"), sealed);
    assertFalse(plaintext.length() >= 5 && sealed.substring("v1:k1:".length()).contains(plaintext),
      "the plaintext does not show through");
    assertEquals("k1", Sealer.keyId(sealed));
    assertEquals(plaintext, sealer.open(EMAIL, sealed, "row-1"));
  }

  @Test
  void null_stays_null() {
    Sealer sealer = underK1();
    assertNull(sealer.seal(EMAIL, null, "row-1"));
    assertNull(sealer.open(EMAIL, null, "row-1"));
    assertNull(sealer.lookup("purpose", null));
  }

  @Test
  void every_seal_of_the_same_value_differs_by_its_random_nonce() {
    Sealer sealer = underK1();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      assertTrue(seen.add(sealer.seal(EMAIL, "alice@example.com", "row-1")));
    }
  }

  @Test
  void a_value_copied_to_another_row_or_column_does_not_open() {
    Sealer sealer = underK1();
    String sealed = sealer.seal(EMAIL, "alice@example.com", "row-1");
    assertThrows(UnreadableValueException.class, () -> sealer.open(EMAIL, sealed, "row-2"));
    assertThrows(UnreadableValueException.class, () -> sealer.open(SECRET, sealed, "row-1"));
    // Row keys of several parts cannot be re-split into another row's key.
    String twoParts = sealer.seal(SECRET, "whsec_x", "@alice.aura", "app1");
    assertThrows(UnreadableValueException.class, () -> sealer.open(SECRET, twoParts, "@alice.auraa", "pp1"));
    assertThrows(UnreadableValueException.class, () -> sealer.open(SECRET, twoParts, "@alice.aura", "app1", ""));
    assertEquals("whsec_x", sealer.open(SECRET, twoParts, "@alice.aura", "app1"));
  }

  /** Property: flipping any single bit of the sealed bytes (nonce, ciphertext or tag) is detected. */
  @RepeatedTest(20)
  void any_altered_bit_is_detected() {
    Sealer sealer = underK1();
    Random random = new Random();
    String plaintext = "+1415555" + (1000 + random.nextInt(9000));
    String sealed = sealer.seal(EMAIL, plaintext, "row-1");
    String prefix = sealed.substring(0, sealed.lastIndexOf(':') + 1);
    byte[] bytes = Base64.getUrlDecoder().decode(sealed.substring(prefix.length()));
    for (int bit = 0; bit < bytes.length * 8; bit++) {
      byte[] altered = bytes.clone();
      altered[bit / 8] ^= (byte) (1 << (bit % 8));
      String tampered = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
      assertThrows(UnreadableValueException.class, () -> sealer.open(EMAIL, tampered, "row-1"), "bit " + bit);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain text", "v1:k1", "v2:k1:AAAA", "v1:k1:AAAA", "v1:k1:!!!not-base64!!!",
    "v1:k9:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
  void what_is_not_a_value_sealed_under_a_configured_key_is_refused(String stored) {
    assertThrows(UnreadableValueException.class, () -> underK1().open(EMAIL, stored, "row-1"));
  }

  @Test
  void the_unknown_key_is_named_and_the_value_never_is() {
    Sealer other = new Sealer(Map.of("k2", K2), "k2", LOOKUP);
    String sealed = other.seal(EMAIL, "alice@example.com", "row-1");
    UnreadableValueException e = assertThrows(UnreadableValueException.class,
      () -> underK1().open(EMAIL, sealed, "row-1"));
    assertTrue(e.getMessage().contains("'k2'"), e.getMessage());
    assertTrue(e.getMessage().contains("AURALINK_DATA_KEYS"), e.getMessage());
    assertFalse(e.getMessage().contains("alice"), e.getMessage());
  }

  @Test
  void a_rotation_reads_the_old_key_and_writes_the_new_one() {
    String underOld = underK1().seal(EMAIL, "alice@example.com", "row-1");
    Sealer rotated = new Sealer(Map.of("k1", K1, "k2", K2), "k2", LOOKUP);
    assertEquals("alice@example.com", rotated.open(EMAIL, underOld, "row-1"));
    assertFalse(rotated.isCurrent(underOld));
    String resealed = rotated.reseal(EMAIL, underOld, "row-1");
    assertEquals("k2", Sealer.keyId(resealed));
    assertTrue(rotated.isCurrent(resealed));
    assertEquals(resealed, rotated.reseal(EMAIL, resealed, "row-1"), "a current value is left as it is");
    assertEquals("alice@example.com", new Sealer(Map.of("k2", K2), "k2", LOOKUP).open(EMAIL, resealed, "row-1"));
    assertTrue(rotated.seal(EMAIL, "bob@example.com", "row-2").startsWith("v1:k2:"));
  }

  @Test
  void lookups_are_stable_keyed_and_separated_by_purpose() {
    Sealer sealer = underK1();
    byte[] digest = sealer.lookup("verification.destination", "+14155550123");
    assertEquals(32, digest.length);
    assertArrayEquals(digest, new Sealer(Map.of("k2", K2), "k2", LOOKUP)
      .lookup("verification.destination", "+14155550123"), "independent of the data keys: rotation keeps lookups");
    assertFalse(Arrays.equals(digest, sealer.lookup("verification.destination", "+14155550124")));
    assertFalse(Arrays.equals(digest, sealer.lookup("other.purpose", "+14155550123")));
    assertFalse(Arrays.equals(digest, new Sealer(Map.of("k1", K1), "k1", filled(8))
      .lookup("verification.destination", "+14155550123")), "another lookup key, another digest");
  }

  @Test
  void an_opening_key_tells_rows_and_columns_apart() {
    String sealed = underK1().seal(SECRET, "whsec_x", "@alice.aura", "app1");
    assertEquals(Sealer.openingKey(SECRET, sealed, "@alice.aura", "app1"),
      Sealer.openingKey(SECRET, sealed, "@alice.aura", "app1"));
    assertFalse(Sealer.openingKey(SECRET, sealed, "@alice.aura", "app1")
      .equals(Sealer.openingKey(SECRET, sealed, "@alice.aura", "app2")));
    assertFalse(Sealer.openingKey(SECRET, sealed, "@alice.aura", "app1")
      .equals(Sealer.openingKey(EMAIL, sealed, "@alice.aura", "app1")));
  }

  @Test
  void the_current_key_must_be_configured() {
    assertThrows(IllegalArgumentException.class, () -> new Sealer(Map.of("k1", K1), "k2", LOOKUP));
  }
}
