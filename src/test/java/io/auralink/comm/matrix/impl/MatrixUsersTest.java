package io.auralink.comm.matrix.impl;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mapping between AuraIDs and the bridge's Matrix users, and the external ids of relayed calls. */
class MatrixUsersTest {

  private final MatrixUsers users = new MatrixUsers("chat.example.org");

  @Test
  void a_bridged_user_of_this_server_maps_to_its_aura_id_and_back() {
    assertEquals(Optional.of("@alice_1.aura"), users.auraId("@alice_1_aura:chat.example.org"));
    assertEquals("@alice_1_aura:chat.example.org", users.matrixUserId("@alice_1.aura"));
    assertEquals("alice_1_aura", MatrixUsers.localpart("@alice_1_aura:chat.example.org"));
  }

  @Test
  void other_servers_plain_matrix_users_and_malformed_names_map_to_nothing() {
    assertEquals(Optional.empty(), users.auraId("@alice_aura:evil.example.org"));
    assertEquals(Optional.empty(), users.auraId("@alice:chat.example.org"));
    assertEquals(Optional.empty(), users.auraId("@Alice_aura:chat.example.org"), "AuraIDs are lower case");
    assertEquals(Optional.empty(), users.auraId("@ab_aura:chat.example.org"), "too short for an AuraID");
    assertEquals(Optional.empty(), users.auraId("@_x_aura:chat.example.org"));
    assertEquals(Optional.empty(), users.auraId(null));
  }

  @Test
  void external_ids_name_room_and_call_and_stay_within_the_column() {
    assertEquals("!r:hs|c1", LegacyVoip.externalId("!r:hs", "c1"));
    String longId = LegacyVoip.externalId("!" + "r".repeat(200) + ":hs", "c".repeat(100));
    assertTrue(longId.startsWith("sha256:") && longId.length() <= 255, longId);
    assertEquals(longId, LegacyVoip.externalId("!" + "r".repeat(200) + ":hs", "c".repeat(100)), "stable");
  }
}
