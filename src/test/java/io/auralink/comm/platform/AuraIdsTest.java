package io.auralink.comm.platform;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AuraID grammar shared by the domains: what is accepted, and the stored form. */
class AuraIdsTest {

  @ParameterizedTest(name = "''{0}'' → {1}")
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
    "@alice.aura|@alice.aura",
    "@Alice.AURA|@alice.aura",
    "@bob_99.Aura|@bob_99.aura",
    "@0day.aura|@0day.aura",
    "@abcdefghij0123456789.aura|@abcdefghij0123456789.aura",
    "alice|NONE",
    "alice.aura|NONE",
    "@alice|NONE",
    "@al.aura|NONE",
    "@_alice.aura|NONE",
    "@abcdefghij0123456789x.aura|NONE",
    "@al-ice.aura|NONE",
    "@alice.aura.evil|NONE",
    "@\u212Aelvin.aura|NONE",
    "@al\u0131ce.aura|NONE",
    "''|NONE",
    "NONE|NONE"})
  void auraids_are_accepted_in_any_case_and_stored_in_lower_case(String input, String expected) {
    assertEquals(Optional.ofNullable(expected), AuraIds.canonical(input));
  }

  @Test
  void a_malformed_auraid_is_explained_after_its_field() {
    assertEquals("aura_id must look like @name.aura: an @, then 3 to 20 letters, digits or underscores"
      + " (not starting with an underscore), then .aura", AuraIds.malformed("aura_id"));
  }

  @Test
  void the_openapi_document_checks_auraids_with_the_same_pattern_and_words() throws IOException {
    String document = Files.readString(Path.of("src/main/resources/openapi.yaml"));
    assertTrue(document.contains("pattern: \"" + AuraIds.INPUT.pattern().replace("\\", "\\\\") + "\""), "the pattern");
    assertTrue(document.contains("x-pattern-message: \"" + AuraIds.FORMAT + "\""), "the words");
  }

  @Test
  void every_canonical_form_is_accepted_input() {
    for (String id : new String[] {"@alice.aura", "@a_1.aura", "@999.aura"}) {
      assertEquals(Optional.of(id), AuraIds.canonical(id).filter(c -> AuraIds.CANONICAL.matcher(c).matches()));
    }
  }
}
