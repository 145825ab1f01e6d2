package io.auralink.comm.mesh.impl;

import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.mesh.graph.Nat;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.platform.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Validates what describes a node, field by field, into a {@link NodeState}; refusals name the field. */
final class NodeInput {

  static final Set<String> DESCRIBING = Set.of("node_type", "device_type", "address", "nat_type", "region",
    "latitude", "longitude", "capabilities", "bandwidth_mbps", "max_connections");
  private static final Pattern DEVICE_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$");
  private static final Pattern REGION = Pattern.compile("^[a-z0-9][a-z0-9-]{0,31}$");
  private static final Set<String> DEVICE_TYPES = Set.of("mobile", "desktop", "web", "server", "iot");

  private NodeInput() {
  }

  /** A node as registered: online now, with the starting trust; {@code base} fills fields not given. */
  static NodeState parse(JsonObject in, String nodeId, String owner, NodeState base, long now) {
    String deviceId = base != null ? base.deviceId() : in.getString("device_id");
    if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
      throw invalid("device_id", "device_id is 1 to 128 letters, digits or . _ : -");
    }
    NodeState.Type type = enumOf("node_type", in.getString("node_type", base != null ? base.type().id() : "peer"));
    String deviceType = in.getString("device_type", base != null ? base.deviceType() : "mobile");
    if (!DEVICE_TYPES.contains(deviceType)) {
      throw invalid("device_type", "device_type is one of " + DEVICE_TYPES.stream().sorted().toList());
    }
    String address = in.getString("address", base != null ? base.address() : null);
    if (address == null || address.isBlank() || address.length() > 255) {
      throw invalid("address", "address (host:port) is required, at most 255 characters");
    }
    Nat nat = Nat.parse(in.getString("nat_type", base != null ? base.nat().id() : "unknown"))
      .orElseThrow(() -> invalid("nat_type", "nat_type is one of public, full_cone, restricted_cone, "
        + "port_restricted, symmetric, unknown"));
    String region = in.containsKey("region") ? in.getString("region") : base != null ? base.region() : null;
    if (region != null && !REGION.matcher(region).matches()) {
      throw invalid("region", "region is 1 to 32 lower-case letters, digits or -");
    }
    double latitude = coordinate(in, "latitude", base != null ? base.latitude() : Double.NaN, 90);
    double longitude = coordinate(in, "longitude", base != null ? base.longitude() : Double.NaN, 180);
    if (Double.isNaN(latitude) != Double.isNaN(longitude)) {
      throw invalid("latitude", "latitude and longitude come together");
    }
    int capabilities = base != null && !in.containsKey("capabilities") ? base.capabilities()
      : capabilities(in.getValue("capabilities", new JsonArray(List.of("audio", "video"))));
    double bandwidth = number(in, "bandwidth_mbps", base != null ? base.bandwidthMbps() : 10, 0.01, 100_000);
    int maxConnections = (int) number(in, "max_connections", base != null ? base.maxConnections() : 5, 1, 100_000);
    return new NodeState(nodeId, owner, deviceId, type, deviceType, address, nat, region, latitude, longitude,
      capabilities, bandwidth, maxConnections, 0, 0, true, 50, false, true, 0, now, 0, now);
  }

  private static NodeState.Type enumOf(String field, String value) {
    try {
      return NodeState.Type.parse(value);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw invalid(field, field + " is one of peer, relay, edge, super_node");
    }
  }

  private static int capabilities(Object value) {
    if (!(value instanceof JsonArray array)) {
      throw invalid("capabilities", "capabilities is a list");
    }
    Set<String> names = new HashSet<>();
    for (Object name : array) {
      if (!NodeState.CAPABILITIES.contains(String.valueOf(name))) {
        throw invalid("capabilities", "capabilities are among " + NodeState.CAPABILITIES);
      }
      names.add(String.valueOf(name));
    }
    return NodeState.capabilities(names);
  }

  private static double coordinate(JsonObject in, String field, double fallback, double limit) {
    if (!in.containsKey(field)) {
      return fallback;
    }
    Object value = in.getValue(field);
    if (value == null) {
      return Double.NaN;
    }
    if (!(value instanceof Number n) || Math.abs(n.doubleValue()) > limit) {
      throw invalid(field, field + " is a number between -" + (int) limit + " and " + (int) limit);
    }
    return n.doubleValue();
  }

  static double number(JsonObject in, String field, double fallback, double min, double max) {
    Object value = in.getValue(field);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < min
      || n.doubleValue() > max) {
      throw invalid(field, field + " is a number from " + min + " to " + max);
    }
    return n.doubleValue();
  }

  static ServiceException invalid(String field, String message) {
    return MeshError.VALIDATION_FAILED.exception(message, ErrorCode.field(field));
  }
}
