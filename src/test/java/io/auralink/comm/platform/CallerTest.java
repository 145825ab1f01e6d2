package io.auralink.comm.platform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one rule of who may act for an AuraID, for every kind of caller. */
class CallerTest {

  private static final String ALICE = "@alice.aura";
  private static final String BOB = "@bob.aura";

  static Stream<Arguments> callers() {
    Caller writer = Caller.service("ops", Set.of("mesh:write"));
    Caller reader = Caller.service("dash", Set.of("mesh:read"));
    return Stream.of(
      Arguments.of("a person for themself", Caller.person(ALICE), ALICE, true),
      Arguments.of("a person for someone else", Caller.person(ALICE), BOB, false),
      Arguments.of("a service with the scope, for anyone", writer, BOB, true),
      Arguments.of("a service without the scope", reader, BOB, false),
      Arguments.of("a service acting as the person", reader.actingAs(ALICE), ALICE, true),
      Arguments.of("a service acting as someone else, whatever its scopes", writer.actingAs(ALICE), BOB, false),
      Arguments.of("nobody for no AuraID", writer, null, false));
  }

  @ParameterizedTest(name = "{0}: {3}")
  @MethodSource("callers")
  void a_caller_acts_for_itself_or_with_a_scope_and_acting_as_binds_a_service_to_one_person(String who, Caller caller,
                                                                                          String auraId, boolean may) {
    assertEquals(may, caller.mayActFor(auraId, "mesh:write"));
  }
}
