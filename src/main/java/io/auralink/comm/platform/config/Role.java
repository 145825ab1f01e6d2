package io.auralink.comm.platform.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a node runs. {@code AURALINK_ROLES} lists them (default {@code all}); a node started with only some roles
 * is how one part scales alone, and one with {@code api} only serves HTTP and reaches the domains over the event bus.
 */
public enum Role {
  /** The HTTP edge (the api verticle). */
  API,
  /** The AuraID registry (the identity verticle). */
  IDENTITY,
  /** Trust scores, abuse reports, moderation and federation trust (the trust verticle). */
  TRUST,
  /** Mesh routing: the hot graph and route queries (the mesh verticle, one per node). */
  MESH,
  /** Calls: their state machine, ring deadlines and LiveKit rooms (the call verticle). */
  CALL,
  /** Presence per device in Redis, its privacy and its coalesced events (the presence verticle). */
  PRESENCE,
  /** The notification hub: apps and channels, the durable delivery queue and its workers, ring control. */
  NOTIFICATION,
  /** The Matrix bridge: Application Service endpoints, the durable intake and its processor (the matrix verticle). */
  MATRIX,
  /** Verification challenges (email, phone, document, social, biometric) and their providers (the verification verticle). */
  VERIFICATION;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Set<Role> parse(String key, List<String> names) {
    if (names.isEmpty() || names.contains("all")) {
      return EnumSet.allOf(Role.class);
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : names) {
      roles.add(Arrays.stream(values()).filter(r -> r.id().equals(name.toLowerCase(Locale.ROOT))).findFirst()
        .orElseThrow(() -> new ConfigException(key, "has unknown role '" + name + "'; known: all, "
          + Arrays.stream(values()).map(Role::id).collect(Collectors.joining(", ")))));
    }
    return roles;
  }
}
