package io.auralink.comm.call.livekit;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * Creates a LiveKit room (RoomService {@code CreateRoom}); creating a room that exists is harmless, LiveKit reuses
 * it. {@link ElementCallExchange} asks for rooms through this so that it does not depend on how RoomService is
 * reached: the node wires it to the call domain's RoomService client.
 */
@FunctionalInterface
public interface RoomCreator {

  /** What lk-jwt-service asks for: an unlimited room, closed 5 min after it empties or 20 s after its last left. */
  static Request elementCallRoom(String name) {
    return new Request(name, Duration.ofSeconds(300), Duration.ofSeconds(20), 0);
  }

  Future<Void> create(Request request);

  /**
   * {@code CreateRoom}'s fields: {@code empty_timeout}, {@code departure_timeout} (whole seconds) and
   * {@code max_participants} (0 = unlimited).
   */
  record Request(String name, Duration emptyTimeout, Duration departureTimeout, int maxParticipants) {
  }
}
