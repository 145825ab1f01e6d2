package io.auralink.comm.api.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How verified claims become a principal. */
class PrincipalTest {

  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("exp", 2_000_000_000L);
  }

  @Test
  void scopes_may_be_a_json_array_or_an_oauth_space_separated_string() {
    Principal fromArray = Principal.fromClaims(claims("svc").put("scope", new JsonArray().add("a:read").add("b:write")));
    Principal fromString = Principal.fromClaims(claims("svc").put("scope", " a:read  b:write "));
    assertEquals(Set.of("a:read", "b:write"), fromArray.scopes());
    assertEquals(fromArray.scopes(), fromString.scopes());
    assertTrue(fromArray.isService());
  }

  @Test
  void a_subject_starting_with_at_is_a_user_acting_as_that_auraid() {
    Principal user = Principal.fromClaims(claims("@alice.aura"));
    assertFalse(user.isService());
    assertEquals("@alice.aura", user.toJson().getString("aura_id"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"@Alice.aura", "@al.aura", "@_alice.aura", "@alice", "@alice.aura.evil", "@" })
  void a_user_subject_must_be_a_canonical_auraid(String subject) {
    assertThrows(IllegalArgumentException.class, () -> Principal.fromClaims(claims(subject)));
  }

  @Test
  void a_token_without_subject_is_refused() {
    assertThrows(IllegalArgumentException.class, () -> Principal.fromClaims(new JsonObject().put("exp", 1L)));
  }
}
