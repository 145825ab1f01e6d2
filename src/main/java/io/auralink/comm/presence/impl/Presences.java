package io.auralink.comm.presence.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pure part of presence: the states and their order of availability, a device as stored, and a person's
 * presence aggregated from their devices at a given time.
 */
public final class Presences {

  /** The states a device may be in, most available first; {@code offline} means the device is gone. */
  public enum State {
    ONLINE, AWAY, BUSY, DND, OFFLINE;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<State> parse(String id) {
      for (State state : values()) {
        if (state.id().equals(id)) {
          return Optional.of(state);
        }
      }
      return Optional.empty();
    }

    /** How Matrix names it: {@code online}, {@code offline}, or {@code unavailable} for the other three. */
    public String matrix() {
      return switch (this) {
        case ONLINE -> "online";
        case OFFLINE -> "offline";
        default -> "unavailable";
      };
    }
  }

  /** The longest status message, in characters. */
  public static final int MAX_STATUS_MESSAGE = 140;

  /** The capabilities a device may declare; an unknown one is refused rather than silently ignored. */
  public static final Set<String> CAPABILITIES = Set.of(io.auralink.comm.presence.PresenceService.MATRIX_VOIP);

  private Presences() {
  }

  /** One device as stored in Redis: times are epoch milliseconds. */
  public record Device(String deviceId, State state, String statusMessage, String appId, List<String> capabilities,
                       long updatedAt, long expiresAt) {

    /** The stored value (the device id is the hash field); {@code expires_at} is read by the write script too. */
    public String encode() {
      return new JsonObject().put("state", state.id()).put("status_message", statusMessage).put("app_id", appId)
        .put("capabilities", new JsonArray(capabilities)).put("updated_at", updatedAt).put("expires_at", expiresAt)
        .encode();
    }

    /** The stored value of {@code deviceId}, or empty when it is not one this domain wrote. */
    public static Optional<Device> decode(String deviceId, String stored) {
      try {
        JsonObject json = new JsonObject(stored);
        // Devices stored before capabilities existed declare none.
        JsonArray capabilities = json.getJsonArray("capabilities", new JsonArray());
        List<String> declared = capabilities.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        return State.parse(json.getString("state")).map(state -> new Device(deviceId, state,
          json.getString("status_message"), json.getString("app_id"), declared, json.getLong("updated_at", 0L),
          json.getLong("expires_at", 0L)));
      } catch (RuntimeException e) {
        return Optional.empty();
      }
    }

    JsonObject toJson() {
      return new JsonObject().put("device_id", deviceId).put("state", state.id())
        .put("status_message", statusMessage).put("app_id", appId).put("capabilities", new JsonArray(capabilities))
        .put("updated_at", Instant.ofEpochMilli(updatedAt).toString())
        .put("expires_at", Instant.ofEpochMilli(expiresAt).toString());
    }
  }

  /**
   * A person's presence at {@code now} from their stored devices (field → value) and last update: the devices still
   * present, the most available one first (the latest update first among equals), which gives the person's state,
   * status message and app.
   */
  public static JsonObject aggregate(String auraId, Map<String, String> stored, Long lastSeen, long now) {
    List<Device> present = stored.entrySet().stream()
      .map(e -> Device.decode(e.getKey(), e.getValue()))
      .flatMap(Optional::stream)
      .filter(device -> device.expiresAt() > now && device.state() != State.OFFLINE)
      .sorted(Comparator.comparing(Device::state).thenComparing(Device::updatedAt, Comparator.reverseOrder())
        .thenComparing(Device::deviceId))
      .toList();
    Device shown = present.isEmpty() ? null : present.get(0);
    JsonArray devices = new JsonArray();
    present.forEach(device -> devices.add(device.toJson()));
    return new JsonObject().put("aura_id", auraId)
      .put("state", shown == null ? State.OFFLINE.id() : shown.state().id())
      .put("status_message", shown == null ? null : shown.statusMessage())
      .put("app_id", shown == null ? null : shown.appId())
      .put("last_seen", lastSeen == null ? null : Instant.ofEpochMilli(lastSeen).toString())
      .put("devices", devices);
  }

  /** What a viewer who may not see {@code auraId} is shown, identical to an AuraID that does not exist. */
  public static JsonObject hidden(String auraId) {
    return new JsonObject().put("aura_id", auraId).put("state", State.OFFLINE.id()).put("status_message", null)
      .put("app_id", null).put("last_seen", null).put("devices", new JsonArray());
  }
}
