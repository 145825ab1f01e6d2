package io.auralink.comm.mesh.graph;

import java.util.Locale;
import java.util.Optional;

/**
 * NAT types (RFC 3489 names, RFC 4787 behaviour) and whether two endpoints can reach each other directly by UDP
 * hole punching (PROTOCOLS.md §10):
 * <pre>
 *              public  full   restr.  port-r.  symm.  unknown
 *   public      yes    yes    yes     yes      yes    yes
 *   full_cone   yes    yes    yes     yes      yes    yes
 *   restricted  yes    yes    yes     yes      no     no
 *   port_restr. yes    yes    yes     yes      no     no
 *   symmetric   yes    yes    no      no       no     no
 *   unknown     yes    yes    no      no       no     no
 * </pre>
 * Public and full-cone endpoints accept anyone. Restricted cone with symmetric works only when the symmetric NAT
 * keeps one public IP, which cannot be known here, so it is refused (conservative); symmetric with port-restricted
 * or symmetric never works. An unknown NAT is treated like a symmetric one.
 */
public enum Nat {
  PUBLIC, FULL_CONE, RESTRICTED_CONE, PORT_RESTRICTED, SYMMETRIC, UNKNOWN;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Nat> parse(String id) {
    for (Nat nat : values()) {
      if (nat.id().equals(id)) {
        return Optional.of(nat);
      }
    }
    return Optional.empty();
  }

  /** Accepts packets from anyone (so anyone can reach it, e.g. a relay). */
  public boolean open() {
    return this == PUBLIC || this == FULL_CONE;
  }

  private boolean cone() {
    return this == RESTRICTED_CONE || this == PORT_RESTRICTED;
  }

  public static boolean direct(Nat a, Nat b) {
    return a.open() || b.open() || (a.cone() && b.cone());
  }
}
