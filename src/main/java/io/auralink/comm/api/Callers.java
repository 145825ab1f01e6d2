package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The {@link Caller} a domain sees for the request's verified principal. */
final class Callers {

  private Callers() {
  }

  /** A user acts as their AuraID; a service with the scopes of its token. */
  static Caller of(RoutingContext ctx) {
    return ctx.<Principal>get(Principal.CONTEXT_KEY).caller();
  }

  /**
   * As {@link #of(RoutingContext)}, and a service acts as {@code as} when given. A person acts only as themself:
   * naming anyone else in {@code as} is refused (403 naming {@code as}), never silently replaced by the caller.
   */
  static Caller of(RoutingContext ctx, String as) {
    Caller caller = of(ctx);
    if (as == null) {
      return caller;
    }
    // The document checks the AuraID's form; what passes it has a canonical form.
    String named = AuraIds.canonical(as).orElse(as);
    if (caller.isPerson()) {
      if (!caller.mayActFor(named)) {
        throw ApiException.forbidden("a person acts only as themself: as names someone else",
          new JsonObject().put("field", "as"));
      }
      return caller;
    }
    return caller.actingAs(named);
  }
}
