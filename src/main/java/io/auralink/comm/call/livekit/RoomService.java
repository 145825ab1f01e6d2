package io.auralink.comm.call.livekit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;

/**
 * LiveKit's RoomService over Twirp JSON ({@code POST <host>/twirp/livekit.RoomService/<Method>}), authorised with a
 * server token from {@link LiveKitTokens}: {@code roomCreate} for creating and deleting rooms, {@code roomAdmin} on
 * the room for removing a participant. A LiveKit error ({@code {code, msg}}, a missing grant being 401
 * {@code unauthenticated}) fails the future with a {@link Failure} carrying both.
 */
public final class RoomService {

  public static final String PATH = "/twirp/livekit.RoomService/";

  /** A RoomService call LiveKit refused or did not answer: its HTTP status (0 if none) and Twirp code. */
  public static final class Failure extends RuntimeException {

    private final int status;
    private final String code;

    Failure(int status, String code, String message) {
      super("LiveKit RoomService: " + status + " " + code + ": " + message);
      this.status = status;
      this.code = code;
    }

    public int status() {
      return status;
    }

    public String code() {
      return code;
    }

    /** The room or participant is not there: for removals, already done. */
    public boolean notFound() {
      return "not_found".equals(code);
    }
  }

  private final WebClient web;
  private final LiveKitTokens tokens;
  private final Duration timeout;

  public RoomService(WebClient web, LiveKitTokens tokens, Duration timeout) {
    this.web = web;
    this.tokens = tokens;
    this.timeout = timeout;
  }

  /** The HTTP base of a LiveKit server given by its client URL ({@code wss://} → {@code https://}). */
  public static String httpBase(String url) {
    String base = url.replaceAll("/+$", "");
    if (base.startsWith("wss://")) {
      return "https://" + base.substring(6);
    }
    if (base.startsWith("ws://")) {
      return "http://" + base.substring(5);
    }
    return base;
  }

  /** Creates {@code name} (LiveKit answers the existing room if it exists); answers LiveKit's {@code Room}. */
  public Future<JsonObject> createRoom(String url, String name, long emptyTimeoutSeconds, int maxParticipants,
                                       String metadata) {
    return call(url, "CreateRoom", tokens.roomCreate(), new JsonObject()
      .put("name", name)
      .put("empty_timeout", emptyTimeoutSeconds)
      .put("max_participants", maxParticipants)
      .put("metadata", metadata));
  }

  /**
   * Creates a room as {@link RoomCreator} asks for it ({@code empty_timeout}, {@code departure_timeout},
   * {@code max_participants}); an existing room is reused.
   */
  public Future<Void> createRoom(String url, RoomCreator.Request request) {
    return call(url, "CreateRoom", tokens.roomCreate(), new JsonObject()
      .put("name", request.name())
      .put("empty_timeout", request.emptyTimeout().toSeconds())
      .put("departure_timeout", request.departureTimeout().toSeconds())
      .put("max_participants", request.maxParticipants())).mapEmpty();
  }

  /** Disconnects one participant and revokes the tokens it joined with (LiveKit's default). */
  public Future<Void> removeParticipant(String url, String room, String identity) {
    return call(url, "RemoveParticipant", tokens.roomAdmin(room),
      new JsonObject().put("room", room).put("identity", identity)).mapEmpty();
  }

  /** Deletes the room, disconnecting everyone in it. */
  public Future<Void> deleteRoom(String url, String room) {
    return call(url, "DeleteRoom", tokens.roomCreate(), new JsonObject().put("room", room)).mapEmpty();
  }

  private Future<JsonObject> call(String url, String method, String token, JsonObject body) {
    return web.postAbs(httpBase(url) + PATH + method)
      .bearerTokenAuthentication(token)
      .putHeader("Content-Type", "application/json")
      .timeout(timeout.toMillis())
      .sendBuffer(body.toBuffer())
      .recover(e -> Future.failedFuture(new Failure(0, "unavailable", method + " not answered: " + e.getMessage())))
      .compose(response -> response.statusCode() == 200 ? Future.succeededFuture(json(response, method))
        : Future.failedFuture(failure(response, method)));
  }

  private static JsonObject json(HttpResponse<Buffer> response, String method) {
    Buffer body = response.body();
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    try {
      return body.toJsonObject();
    } catch (DecodeException e) {
      throw new Failure(200, "malformed", method + " answered something that is not JSON");
    }
  }

  private static Failure failure(HttpResponse<Buffer> response, String method) {
    String code = "unknown";
    String message = response.statusMessage();
    try {
      JsonObject error = response.bodyAsJsonObject();
      if (error != null) {
        code = error.getString("code", code);
        message = error.getString("msg", message);
      }
    } catch (DecodeException | ClassCastException e) {
      // Not Twirp's JSON (a proxy in between): the status says enough.
    }
    return new Failure(response.statusCode(), code, method + ": " + message);
  }
}
