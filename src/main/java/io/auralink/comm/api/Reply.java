package io.auralink.comm.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** What an operation answers: a status, a body and its media type. */
public record Reply(int status, Buffer body, String contentType) {

  public static final String JSON = "application/json";

  /** The operation answers by itself, as a stream it writes and ends (Server-Sent Events): nothing more is sent. */
  public static final Reply STREAMING = new Reply(200, null, "text/event-stream");

  public static Reply ok(JsonObject body) {
    return json(200, body);
  }

  public static Reply json(int status, JsonObject body) {
    return new Reply(status, body.toBuffer(), JSON);
  }
}
