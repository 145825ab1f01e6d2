package io.auralink.comm.mesh.graph;

import io.auralink.comm.mesh.quality.NodeQuality;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One mesh node as replicated cluster-wide: what its owner registered, its liveness and load, its trust, and its
 * owner's standing. {@code version} grows with every change, so that replicas apply changes in order and ignore
 * stale ones. {@code ownerActive} is false while the owning AuraID is deactivated or suspended (the node is then out
 * of routing, like all of that owner's nodes); {@code ownerSince} is when that standing was learned (epoch ms), so
 * that a standing learned earlier never overrides one learned later, whichever member writes it. {@code quality} is
 * what the node itself is learned to add to calls ({@link NodeQuality}).
 */
public record NodeState(String nodeId, String owner, String deviceId, Type type, String deviceType, String address,
                        Nat nat, String region, double latitude, double longitude, int capabilities,
                        double bandwidthMbps, int maxConnections, int currentConnections, double bandwidthInUseMbps,
                        boolean online, double trust, boolean suspended, boolean ownerActive, long ownerSince,
                        long registeredAt, long version, long changedAt, NodeQuality quality) {

  /** A node whose own quality is not learned yet (the default). */
  public NodeState(String nodeId, String owner, String deviceId, Type type, String deviceType, String address, Nat nat,
                   String region, double latitude, double longitude, int capabilities, double bandwidthMbps,
                   int maxConnections, int currentConnections, double bandwidthInUseMbps, boolean online, double trust,
                   boolean suspended, boolean ownerActive, long ownerSince, long registeredAt, long version,
                   long changedAt) {
    this(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude, capabilities,
      bandwidthMbps, maxConnections, currentConnections, bandwidthInUseMbps, online, trust, suspended, ownerActive,
      ownerSince, registeredAt, version, changedAt, NodeQuality.DEFAULT);
  }

  public static final int AUDIO = 1;
  public static final int VIDEO = 2;
  public static final int SCREEN_SHARE = 4;
  public static final int AIC = 8;
  public static final List<String> CAPABILITIES = List.of("audio", "video", "screen_share", "aic");

  public enum Type {
    PEER, RELAY, EDGE, SUPER_NODE;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Peers are people's devices: they do not carry other people's media. */
    public boolean relays() {
      return this != PEER;
    }

    public static Type parse(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  public static int capabilities(Set<String> names) {
    int mask = 0;
    for (int i = 0; i < CAPABILITIES.size(); i++) {
      if (names.contains(CAPABILITIES.get(i))) {
        mask |= 1 << i;
      }
    }
    return mask;
  }

  public boolean hasCoordinates() {
    return !Double.isNaN(latitude);
  }

  public JsonObject toJson() {
    JsonArray caps = new JsonArray();
    for (int i = 0; i < CAPABILITIES.size(); i++) {
      if ((capabilities & (1 << i)) != 0) {
        caps.add(CAPABILITIES.get(i));
      }
    }
    return new JsonObject()
      .put("node_id", nodeId).put("aura_id", owner).put("device_id", deviceId).put("node_type", type.id())
      .put("device_type", deviceType).put("address", address).put("nat_type", nat.id()).put("region", region)
      .put("latitude", hasCoordinates() ? latitude : null).put("longitude", hasCoordinates() ? longitude : null)
      .put("capabilities", caps).put("bandwidth_mbps", bandwidthMbps).put("max_connections", maxConnections)
      .put("current_connections", currentConnections).put("bandwidth_in_use_mbps", bandwidthInUseMbps)
      .put("online", online).put("trust_score", trust).put("suspended", suspended)
      .put("owner_active", ownerActive).put("owner_since", ownerSince)
      .put("registered_at", registeredAt).put("version", version).put("changed_at", changedAt)
      .put("quality", quality.toJson());
  }

  public static NodeState fromJson(JsonObject json) {
    Double lat = json.getDouble("latitude");
    Double lon = json.getDouble("longitude");
    List<String> caps = new ArrayList<>();
    json.getJsonArray("capabilities", new JsonArray()).forEach(c -> caps.add(String.valueOf(c)));
    return new NodeState(json.getString("node_id"), json.getString("aura_id"), json.getString("device_id"),
      Type.parse(json.getString("node_type")), json.getString("device_type"), json.getString("address"),
      Nat.parse(json.getString("nat_type")).orElse(Nat.UNKNOWN), json.getString("region"),
      lat == null ? Double.NaN : lat, lon == null ? Double.NaN : lon, capabilities(Set.copyOf(caps)),
      json.getDouble("bandwidth_mbps"), json.getInteger("max_connections"),
      json.getInteger("current_connections", 0), json.getDouble("bandwidth_in_use_mbps", 0.0),
      json.getBoolean("online", false), json.getDouble("trust_score", 50.0), json.getBoolean("suspended", false),
      json.getBoolean("owner_active", true), json.getLong("owner_since", 0L), json.getLong("registered_at", 0L), json.getLong("version", 0L), json.getLong("changed_at", 0L),
      NodeQuality.fromJson(json.getJsonObject("quality")));
  }

  public NodeState withLiveness(boolean online, int connections, double bandwidthInUse) {
    return new NodeState(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude,
      capabilities, bandwidthMbps, maxConnections, connections, bandwidthInUse, online, trust, suspended, ownerActive,
      ownerSince, registeredAt, version, changedAt, quality);
  }

  public NodeState withTrust(double trust, boolean suspended) {
    return new NodeState(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude,
      capabilities, bandwidthMbps, maxConnections, currentConnections, bandwidthInUseMbps, online, trust, suspended,
      ownerActive, ownerSince, registeredAt, version, changedAt, quality);
  }

  /** This node with its owner's standing as learned at {@code since}. */
  public NodeState withOwner(boolean active, long since) {
    return new NodeState(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude,
      capabilities, bandwidthMbps, maxConnections, currentConnections, bandwidthInUseMbps, online, trust, suspended,
      active, since, registeredAt, version, changedAt, quality);
  }

  /** This node with whichever owner's standing, its own or {@code other}'s, was learned later. */
  public NodeState withLaterOwnerOf(NodeState other) {
    return other != null && other.ownerSince > ownerSince ? withOwner(other.ownerActive, other.ownerSince) : this;
  }

  /** This node with what its owner describes taken from {@code d}; liveness, trust and registration stay. */
  public NodeState withDescriptionOf(NodeState d) {
    return new NodeState(nodeId, owner, deviceId, d.type, d.deviceType, d.address, d.nat, d.region, d.latitude,
      d.longitude, d.capabilities, d.bandwidthMbps, d.maxConnections, currentConnections, bandwidthInUseMbps, online,
      trust, suspended, ownerActive, ownerSince, registeredAt, version, changedAt, quality);
  }

  /** The same node holding the given (equal) strings instead of its own: a large graph shares repeated ones. */
  public NodeState sharing(String sameOwner, String sameRegion, String sameDeviceType) {
    return new NodeState(nodeId, sameOwner, deviceId, type, sameDeviceType, address, nat, sameRegion, latitude,
      longitude, capabilities, bandwidthMbps, maxConnections, currentConnections, bandwidthInUseMbps, online, trust,
      suspended, ownerActive, ownerSince, registeredAt, version, changedAt, quality);
  }

  /** This node with its own quality learned anew. */
  public NodeState withQuality(NodeQuality learned) {
    return new NodeState(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude,
      capabilities, bandwidthMbps, maxConnections, currentConnections, bandwidthInUseMbps, online, trust, suspended,
      ownerActive, ownerSince, registeredAt, version, changedAt, learned);
  }

  /** The same node, stamped as the next version. */
  public NodeState next(long previousVersion, long now) {
    return new NodeState(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude,
      capabilities, bandwidthMbps, maxConnections, currentConnections, bandwidthInUseMbps, online, trust, suspended,
      ownerActive, ownerSince, registeredAt, previousVersion + 1, now, quality);
  }

  /** Equal in everything but version and time stamp. */
  public boolean sameAs(NodeState other) {
    return other != null && next(0, 0).equals(other.next(0, 0));
  }
}
