package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.OffsetDateTime;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Who sees an AuraID, and all of it: every privacy level and status against every kind of caller. */
class PrivacyTest {

  private static final String TARGET = "@target.aura";

  private static Profile target(String privacy, String status) {
    return new Profile(TARGET, "target", "acct-1", "Target", null, privacy, status, false, "established",
      null, "suspended".equals(status) ? OffsetDateTime.now() : null, null, OffsetDateTime.now(),
      "@target_aura:auralink.network", "unconfigured");
  }

  private static Caller viewer(String kind) {
    return switch (kind) {
      case "owner" -> Caller.person(TARGET);
      case "admin" -> Caller.service("ops", Set.of(IdentityService.ADMIN));
      case "service" -> Caller.service("dashboard", Set.of(IdentityService.READ));
      case "reader_as_owner" -> Caller.service("directory", Set.of(IdentityService.READ)).actingAs(TARGET);
      case "writer_as_owner" -> Caller.service("dashboard", Set.of(IdentityService.WRITE)).actingAs(TARGET);
      case "admin_as_owner" -> Caller.service("ops", Set.of(IdentityService.ADMIN)).actingAs(TARGET);
      case "admin_as_stranger" -> Caller.service("ops", Set.of(IdentityService.ADMIN)).actingAs("@stranger.aura");
      // The call domain reading for a person: contacts reach each other whatever their privacy level.
      case "calls_as_friend", "calls_as_stranger", "calls_as_blocked" -> Caller.service("call",
        Set.of(IdentityService.READ, IdentityService.CALL_PEERS)).actingAs("@" + kind.substring(9) + ".aura");
      case "reader_as_friend" -> Caller.service("directory", Set.of(IdentityService.READ)).actingAs("@friend.aura");
      default -> Caller.person("@" + kind + ".aura");
    };
  }

  private static Privacy.Relation relation(String kind) {
    return switch (kind) {
      case "friend", "calls_as_friend", "reader_as_friend" -> Privacy.Relation.FRIEND;
      case "blocked", "calls_as_blocked" -> Privacy.Relation.BLOCKED_BY_TARGET;
      default -> Privacy.Relation.NONE;
    };
  }

  @ParameterizedTest(name = "{0} {1} seen by {2}: {3}")
  @CsvSource({
    // privacy, status, viewer, visible
    "public,  active,    owner,    true",
    "public,  active,    friend,   true",
    "public,  active,    stranger, true",
    "public,  active,    blocked,  false",
    "public,  active,    admin,    true",
    "public,  active,    service,  true",
    "friends, active,    owner,    true",
    "friends, active,    friend,   true",
    "friends, active,    stranger, false",
    "friends, active,    blocked,  false",
    "friends, active,    admin,    true",
    "friends, active,    service,  false",
    "private, active,    owner,    true",
    "private, active,    friend,   false",
    "private, active,    stranger, false",
    "private, active,    blocked,  false",
    "private, active,    admin,    true",
    "private, active,    service,  false",
    "public,  inactive,  owner,    true",
    "public,  inactive,  friend,   false",
    "public,  inactive,  stranger, false",
    "public,  inactive,  admin,    true",
    "public,  suspended, owner,    true",
    "public,  suspended, friend,   false",
    "public,  suspended, stranger, false",
    "public,  suspended, admin,    true",
    "private, active,    reader_as_owner,   true",
    "public,  suspended, reader_as_owner,   true",
    "private, active,    admin_as_stranger, false",
    "public,  inactive,  admin_as_stranger, false",
    "private, active,    calls_as_friend,   true",
    "private, active,    reader_as_friend,  false",
    "private, active,    calls_as_stranger, false",
    "private, active,    calls_as_blocked,  false",
    "friends, active,    calls_as_friend,   true",
    "private, inactive,  calls_as_friend,   false",
    "private, suspended, calls_as_friend,   false"})
  void visibility(String privacy, String status, String viewer, boolean visible) {
    assertEquals(visible, Privacy.canSee(target(privacy, status), viewer(viewer), relation(viewer)));
  }

  @ParameterizedTest(name = "{0} sees every field: {1}")
  @CsvSource({"owner, true", "admin, true", "friend, false", "stranger, false", "service, false",
    "reader_as_owner, false", "writer_as_owner, true", "admin_as_owner, true", "admin_as_stranger, false"})
  void only_the_owner_administrators_and_writers_acting_as_the_owner_see_every_field(String viewer, boolean full) {
    assertEquals(full, Privacy.seesEverything(target("public", "active"), viewer(viewer)));
  }
}
