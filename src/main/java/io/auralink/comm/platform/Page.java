package io.auralink.comm.platform;

import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

/**
 * One page of a list that can grow without bound: at most {@code limit} items (default {@value #DEFAULT_LIMIT},
 * at most {@value #MAX_LIMIT}) after {@code cursor}, the {@code next_cursor} a previous page answered (null for the
 * first page). Sent over the event bus as {@code {limit?, cursor?}}; a list answers {@code next_cursor}, null on its
 * last page.
 */
public record Page(int limit, String cursor) {

  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 500;
  private static final int MAX_CURSOR_LENGTH = 512;

  /** The page a request asks for; a malformed one is a 400 of {@code validation}'s domain naming the field. */
  public static Page of(JsonObject request, ErrorCode validation) {
    if (request == null) {
      return new Page(DEFAULT_LIMIT, null);
    }
    Object limit = request.getValue("limit");
    if (limit != null && !(limit instanceof Integer || limit instanceof Long)
      || limit != null && (((Number) limit).longValue() < 1 || ((Number) limit).longValue() > MAX_LIMIT)) {
      throw validation.exception("limit must be an integer from 1 to " + MAX_LIMIT, ErrorCode.field("limit"));
    }
    Object cursor = request.getValue("cursor");
    if (cursor != null && (!(cursor instanceof String text) || text.isEmpty() || text.length() > MAX_CURSOR_LENGTH)) {
      throw invalidCursor(validation);
    }
    return new Page(limit == null ? DEFAULT_LIMIT : ((Number) limit).intValue(), (String) cursor);
  }

  /** The answer to a cursor that no page gave out. */
  public static ServiceException invalidCursor(ErrorCode validation) {
    return validation.exception("cursor must be the next_cursor of a previous page", ErrorCode.field("cursor"));
  }

  /** The page as the event bus carries it. */
  public static JsonObject request(Integer limit, String cursor) {
    JsonObject page = new JsonObject();
    if (limit != null) {
      page.put("limit", limit);
    }
    if (cursor != null) {
      page.put("cursor", cursor);
    }
    return page;
  }
}
