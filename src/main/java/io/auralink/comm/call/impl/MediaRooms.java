package io.auralink.comm.call.impl;

import io.auralink.comm.call.livekit.LiveKitTokens;
import io.auralink.comm.call.livekit.RoomService;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The LiveKit side of central routes: which server a region's room lives on, creating it, join tokens per device,
 * and closing it when the call ends. Without LiveKit settings rooms are only named ({@link #configured} false).
 */
final class MediaRooms {

  private static final Logger LOG = LoggerFactory.getLogger(MediaRooms.class);
  static final String UNCONFIGURED = "LiveKit is not configured (AURALINK_LIVEKIT_URL, _API_KEY, _API_SECRET):"
    + " the call's room is named but not created, and no join token is issued";

  private final AppConfig.LiveKit config;
  private final LiveKitTokens tokens;
  private final RoomService rooms;
  private final Duration emptyTimeout;

  MediaRooms(AppConfig.LiveKit config, RoomService rooms, Duration emptyTimeout) {
    this.config = config;
    this.tokens = config.configured() ? new LiveKitTokens(config.apiKey().orElseThrow(),
      config.apiSecret().orElseThrow(), config.tokenTtl(), config.clockSkew(), Clock.systemUTC()) : null;
    this.rooms = rooms;
    this.emptyTimeout = emptyTimeout;
  }

  static MediaRooms create(AppConfig.LiveKit config, io.vertx.ext.web.client.WebClient web, Duration timeout,
                           Duration emptyTimeout) {
    RoomService rooms = config.configured() ? new RoomService(web, new LiveKitTokens(config.apiKey().orElseThrow(),
      config.apiSecret().orElseThrow(), Duration.ofMinutes(1), config.clockSkew(), Clock.systemUTC()), timeout) : null;
    return new MediaRooms(config, rooms, emptyTimeout);
  }

  boolean configured() {
    return config.configured();
  }

  /** The LiveKit URL clients of a room in this mesh region connect to. */
  Optional<String> urlFor(String region) {
    return region == null ? config.url() : config.urlFor(region);
  }

  /** Creates the room on its server, for {@code participants} parties. */
  Future<Void> create(String url, String room, int participants, JsonObject metadata) {
    return rooms.createRoom(url, room, emptyTimeout.toSeconds(), participants, metadata.encode()).mapEmpty();
  }

  /** What one device needs to join: {@code {url, room, identity, token}}. */
  JsonObject join(String url, String room, String auraId, String deviceId, String callId) {
    String identity = LiveKitTokens.identity(auraId, deviceId);
    return new JsonObject().put("url", url).put("room", room).put("identity", identity)
      .put("token", tokens.join(room, identity, auraId,
        new JsonObject().put("aura_id", auraId).put("call_id", callId)));
  }

  /**
   * Closes an ended call's room: the listed identities are removed first (their tokens revoked), then the room is
   * deleted, disconnecting everyone. Failures are logged: the call has ended whatever LiveKit says, and the room's
   * empty timeout closes it in the end.
   */
  Future<Void> close(String url, String room, List<String> removed) {
    return remove(url, room, removed).compose(v -> rooms.deleteRoom(url, room).recover(e -> ignoreMissing(e, "delete " + room)));
  }

  /** Removes identities that left a live call from its room (their tokens stop working); failures are logged. */
  Future<Void> remove(String url, String room, List<String> removed) {
    Future<Void> removals = Future.succeededFuture();
    for (String identity : removed) {
      removals = removals.compose(v -> rooms.removeParticipant(url, room, identity).recover(e -> ignoreMissing(e,
        "remove " + identity + " from " + room)));
    }
    return removals;
  }

  private static Future<Void> ignoreMissing(Throwable e, String what) {
    if (!(e instanceof RoomService.Failure failure && failure.notFound())) {
      LOG.warn("LiveKit could not {}: {}", what, e.getMessage());
    }
    return Future.succeededFuture();
  }
}
