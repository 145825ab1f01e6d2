package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.Caller;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/** The {@link Caller} a domain sees for the request's verified principal. */
final class Callers {

  private Callers() {
  }

  /** A user acts as their AuraID; a service with the scopes of its token. */
  static Caller of(RoutingContext ctx) {
    return ctx.<Principal>get(Principal.CONTEXT_KEY).caller();
  }

  /** As {@link #of(RoutingContext)}, and a service acts as {@code as} when given; a person always as themself. */
  static Caller of(RoutingContext ctx, String as) {
    Caller caller = of(ctx);
    return as == null || caller.isPerson() ? caller : caller.actingAs(as.toLowerCase(Locale.ROOT));
  }
}
