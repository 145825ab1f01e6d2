package io.auralink.comm.mesh.impl;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** AuraIDs are read in any case, ASCII only, and kept in lower case. */
class AuraIdsTest {

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({"@alice.aura,@alice.aura", "@Alice.aura,@alice.aura", "@ALICE_2.AURA,@alice_2.aura"})
  void an_auraid_in_any_case_is_read_in_lower_case(String input, String canonical) {
    assertEquals(canonical, AuraIds.canonical(input));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"alice.aura", "@al.aura", "@_alice.aura", "@alice.aur", "@ali ce.aura",
    "@\u212Aelvin.aura", "@a\u0131ice.aura", "@abcdefghijklmnopqrstu.aura"})
  void anything_else_is_not_an_auraid(String input) {
    assertNull(AuraIds.canonical(input), "the Kelvin sign and dotless i must not fold into ASCII names");
  }
}
