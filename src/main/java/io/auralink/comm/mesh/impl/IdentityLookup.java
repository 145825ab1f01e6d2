package io.auralink.comm.mesh.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.auralink.comm.platform.ErrorCode.field;

/**
 * Whether AuraIDs exist, asked of the identity domain over the event bus in one request for any number of them.
 * Only for AuraIDs the local graph does not know (a party with a registered device exists): off the hot path.
 */
final class IdentityLookup {

  /** The registry's view that sees every AuraID whatever its privacy: existence is all the mesh asks. */
  private static final Caller MESH = Caller.service("mesh", Set.of(IdentityService.ADMIN));

  private final IdentityService identity;

  IdentityLookup(IdentityService identity) {
    this.identity = identity;
  }

  /**
   * Succeeds when every AuraID exists; otherwise fails {@code AURAID_NOT_FOUND} naming the field of the first that
   * does not ({@code byField}: field → canonical AuraID, in the order to report). A registry that cannot answer is
   * {@code IDENTITY_UNAVAILABLE}: the mesh does not guess.
   */
  Future<Void> exist(Map<String, String> byField) {
    if (byField.isEmpty()) {
      return Future.succeededFuture();
    }
    return identity.resolveMany(List.copyOf(byField.values()), MESH)
      .recover(e -> MeshError.IDENTITY_UNAVAILABLE.fail("the identity registry did not answer whether an AuraID"
        + " exists; retry shortly"))
      .compose(found -> {
        JsonArray notFound = found.getJsonArray("not_found", new JsonArray());
        for (Map.Entry<String, String> party : byField.entrySet()) {
          if (notFound.contains(party.getValue())) {
            return MeshError.AURAID_NOT_FOUND.fail("no such AuraID: " + party.getValue(), field(party.getKey()));
          }
        }
        return Future.succeededFuture();
      });
  }
}
