package io.auralink.comm.api;

import io.auralink.comm.platform.Page;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The {@code ?limit=&cursor=} of a paged list, as the domains take it ({@link Page}). */
final class PageQuery {

  private PageQuery() {
  }

  /** The parameters present in the request, {@code limit} as a number (validated by the document). */
  static JsonObject of(RoutingContext ctx) {
    String limit = ctx.queryParams().get("limit");
    return Page.request(limit == null ? null : Integer.valueOf(limit), ctx.queryParams().get("cursor"));
  }
}
