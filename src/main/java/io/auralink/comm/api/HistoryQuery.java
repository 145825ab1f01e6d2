package io.auralink.comm.api;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The query of a paged history (calls, notifications): {@code aura_id, state, before, limit}, as given. */
final class HistoryQuery {

  private HistoryQuery() {
  }

  /** The parameters present in the request, {@code limit} as a number (validated by the document). */
  static JsonObject of(RoutingContext ctx) {
    JsonObject query = new JsonObject();
    for (String name : new String[] {"aura_id", "state", "before"}) {
      String value = ctx.queryParams().get(name);
      if (value != null) {
        query.put(name, value);
      }
    }
    String limit = ctx.queryParams().get("limit");
    if (limit != null) {
      query.put("limit", Integer.parseInt(limit));
    }
    return query;
  }
}
