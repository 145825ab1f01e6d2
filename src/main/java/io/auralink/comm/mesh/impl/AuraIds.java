package io.auralink.comm.mesh.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;

/**
 * AuraIDs as the mesh reads them, and whether they exist. Input is case-insensitive but ASCII only (as the registry
 * reads it, so that no Unicode look-alike folds into someone else's name); the canonical form is lower case. Whether
 * an AuraID exists is asked of the identity domain over the event bus, in one request for any number of them.
 */
final class AuraIds {

  static final Pattern CANONICAL = Pattern.compile("^@[a-z0-9][a-z0-9_]{2,19}\\.aura$");
  private static final Pattern INPUT = Pattern.compile("^@[A-Za-z0-9][A-Za-z0-9_]{2,19}\\.(?i:aura)$");
  /** The registry's view that sees every AuraID whatever its privacy: existence is all the mesh asks. */
  private static final Caller MESH = Caller.service("mesh", Set.of(IdentityService.ADMIN));

  private final IdentityService identity;

  AuraIds(IdentityService identity) {
    this.identity = identity;
  }

  /** The canonical AuraID ({@code @Alice.aura} → {@code @alice.aura}), or null if the input cannot be one. */
  static String canonical(String input) {
    return input != null && INPUT.matcher(input).matches() ? input.toLowerCase(Locale.ROOT) : null;
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
