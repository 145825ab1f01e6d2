package io.auralink.comm.mesh.graph;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The direct-connection table of {@link Nat}, every pair both ways. */
class NatTest {

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
    "public, public, true", "public, full_cone, true", "public, restricted_cone, true",
    "public, port_restricted, true", "public, symmetric, true", "public, unknown, true",
    "full_cone, full_cone, true", "full_cone, restricted_cone, true", "full_cone, port_restricted, true",
    "full_cone, symmetric, true", "full_cone, unknown, true",
    "restricted_cone, restricted_cone, true", "restricted_cone, port_restricted, true",
    "restricted_cone, symmetric, false", "restricted_cone, unknown, false",
    "port_restricted, port_restricted, true", "port_restricted, symmetric, false", "port_restricted, unknown, false",
    "symmetric, symmetric, false", "symmetric, unknown, false",
    "unknown, unknown, false"})
  void directConnection(String a, String b, boolean direct) {
    Nat x = Nat.parse(a).orElseThrow();
    Nat y = Nat.parse(b).orElseThrow();
    assertEquals(direct, Nat.direct(x, y));
    assertEquals(direct, Nat.direct(y, x), "symmetric relation");
  }
}
