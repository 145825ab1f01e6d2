package io.auralink.comm.mesh.impl;

import io.auralink.comm.identity.IdentityError;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the identity registry says of AuraIDs, asked over the event bus: their standing (one request for any number
 * of them), and whether one is visible to another. Asked only off the hot paths: for AuraIDs the local graph has no
 * routable node of, and for route parties whose visibility is not remembered ({@link VisibilityCache}). A registry
 * that cannot answer is {@code IDENTITY_UNAVAILABLE}: the mesh does not guess.
 */
final class IdentityLookup {

  /** An AuraID's standing in the registry. */
  enum Standing {
    ACTIVE,
    /** Deactivated or suspended. */
    INACTIVE,
    /** Never registered. */
    UNKNOWN
  }

  /** The registry's view that sees every AuraID whatever its privacy and state, with its status. */
  private static final Caller ADMINISTRATOR = Caller.service("mesh", Set.of(IdentityService.ADMIN));
  /** Routes are for calls: accepted contacts reach each other whatever their privacy level (as the call domain). */
  private static final Caller READER = Caller.service("mesh", Set.of(IdentityService.READ, IdentityService.CALL_PEERS));

  private final IdentityService identity;

  IdentityLookup(IdentityService identity) {
    this.identity = identity;
  }

  /** The standing of each of {@code auraIds} (canonical), in one request. */
  Future<Map<String, Standing>> standings(List<String> auraIds) {
    return identity.resolveMany(auraIds, ADMINISTRATOR)
      .recover(e -> unavailable())
      .map(found -> {
        JsonObject results = found.getJsonObject("results", new JsonObject());
        Map<String, Standing> standings = new LinkedHashMap<>();
        for (String auraId : auraIds) {
          JsonObject profile = results.getJsonObject(auraId);
          standings.put(auraId, profile == null ? Standing.UNKNOWN
            : "active".equals(profile.getString("status")) ? Standing.ACTIVE : Standing.INACTIVE);
        }
        return standings;
      });
  }

  Future<Standing> standing(String auraId) {
    return standings(List.of(auraId)).map(standings -> standings.get(auraId));
  }

  /**
   * Whether {@code destination} is visible to {@code source}, exactly as the registry shows it to that person:
   * false for an AuraID that does not exist, is deactivated or suspended, is private, friends-only without them, or
   * has blocked them.
   */
  Future<Boolean> visible(String destination, String source) {
    return identity.resolve(destination, READER.actingAs(source))
      .map(profile -> true)
      .recover(e -> e instanceof ServiceException refused && refused.getDebugInfo() != null
        && IdentityError.AURAID_NOT_FOUND.name().equals(refused.getDebugInfo().getString("code"))
        ? Future.succeededFuture(false) : unavailable());
  }

  private static <T> Future<T> unavailable() {
    return MeshError.IDENTITY_UNAVAILABLE.fail("the identity registry did not answer about an AuraID; retry shortly");
  }
}
