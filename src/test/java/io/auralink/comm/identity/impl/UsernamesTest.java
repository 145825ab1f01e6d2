package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.IdentityError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The username grammar, table by table. */
class UsernamesTest {

  private final Usernames usernames = new Usernames(List.of("Acme"));

  @ParameterizedTest(name = "''{0}'' → {1}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
    // valid, and what is stored
    "alice|alice",
    "bob_99|bob_99",
    "a1b|a1b",
    "abcdefghij0123456789|abcdefghij0123456789",
    "0day|0day",
    // upper case is folded
    "Alice|alice",
    "ALICE_B|alice_b",
    // too short, too long, leading underscore, other characters
    "ab|VALIDATION_FAILED",
    "abcdefghij0123456789x|VALIDATION_FAILED",
    "_alice|VALIDATION_FAILED",
    "al ice|VALIDATION_FAILED",
    "al-ice|VALIDATION_FAILED",
    "alice.aura|VALIDATION_FAILED",
    "@alice|VALIDATION_FAILED",
    "''|VALIDATION_FAILED",
    "NULL|VALIDATION_FAILED",
    // Unicode never folds into an ASCII name (Kelvin sign, dotless i, accents, Cyrillic a)
    "\u212Aelvin|VALIDATION_FAILED",
    "al\u0131ce|VALIDATION_FAILED",
    "\u00e5lice|VALIDATION_FAILED",
    "\u0430lice|VALIDATION_FAILED",
    // reserved, in any case, shipped or configured
    "admin|AURAID_RESERVED",
    "Admin|AURAID_RESERVED",
    "postmaster|AURAID_RESERVED",
    "undefined|AURAID_RESERVED",
    "acme|AURAID_RESERVED"})
  void usernames_are_checked(String input, String expected) {
    Usernames.Result result = usernames.check(input);
    if (expected.equals(expected.toUpperCase(java.util.Locale.ROOT))) {
      assertFalse(result.ok(), input);
      assertEquals(IdentityError.valueOf(expected), result.refusal());
    } else {
      assertEquals(expected, result.username());
    }
  }

  @ParameterizedTest(name = "''{0}'' → {1}")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
    "@alice.aura|@alice.aura",
    "@Alice.AURA|@alice.aura",
    "@Alice.aura|@alice.aura",
    "alice.aura|NONE",
    "@al.aura|NONE",
    "@_alice.aura|NONE",
    "@alice.aura.evil|NONE"})
  void auraids_are_canonicalised(String input, String expected) {
    assertEquals(Optional.ofNullable(expected), Usernames.canonicalAuraId(input));
  }

  @Test
  void the_auraid_and_the_username_convert_both_ways() {
    assertEquals("@bob_1.aura", Usernames.auraId("bob_1"));
    assertEquals("bob_1", Usernames.username("@bob_1.aura"));
  }
}
