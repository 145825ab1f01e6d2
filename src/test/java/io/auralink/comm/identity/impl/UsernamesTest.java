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
    "ab|AURAID_INVALID",
    "abcdefghij0123456789x|AURAID_INVALID",
    "_alice|AURAID_INVALID",
    "al ice|AURAID_INVALID",
    "al-ice|AURAID_INVALID",
    "alice.aura|AURAID_INVALID",
    "@alice|AURAID_INVALID",
    "''|AURAID_INVALID",
    "NULL|AURAID_INVALID",
    // Unicode never folds into an ASCII name (Kelvin sign, dotless i, accents, Cyrillic a)
    "\u212Aelvin|AURAID_INVALID",
    "al\u0131ce|AURAID_INVALID",
    "\u00e5lice|AURAID_INVALID",
    "\u0430lice|AURAID_INVALID",
    // reserved, in any case, shipped or configured
    "admin|AURAID_RESERVED",
    "Admin|AURAID_RESERVED",
    "postmaster|AURAID_RESERVED",
    "undefined|AURAID_RESERVED",
    "acme|AURAID_RESERVED"})
  void usernames_are_checked(String input, String expected) {
    Usernames.Result result = usernames.check(input);
    if (expected.startsWith("AURAID_")) {
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
