package io.auralink.comm.platform.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;

import java.util.List;

/** The cluster's members as this node sees them, with the roles and version each one advertises. */
public final class ClusterMembers {

  /** Keys of the metadata every node publishes with its event-bus address. */
  public static final String ROLES = "roles";
  public static final String VERSION = "version";

  private ClusterMembers() {
  }

  public record Member(String nodeId, String host, int port, List<String> roles, String version, boolean local) {
    public JsonObject toJson() {
      return new JsonObject().put("node_id", nodeId).put("host", host).put("port", port)
        .put("roles", new JsonArray(roles)).put("version", version).put("local", local);
    }
  }

  public static Future<List<Member>> list(ClusterManager cluster) {
    String self = cluster.getNodeId();
    List<Future<Member>> members = cluster.getNodes().stream().sorted().map(nodeId -> {
      Promise<NodeInfo> info = Promise.promise();
      cluster.getNodeInfo(nodeId, info);
      return info.future().map(node -> {
        JsonObject metadata = node.metadata() == null ? new JsonObject() : node.metadata();
        List<String> roles = metadata.getJsonArray(ROLES, new JsonArray()).stream().map(String::valueOf).toList();
        return new Member(nodeId, node.host(), node.port(), roles, metadata.getString(VERSION, "unknown"),
          nodeId.equals(self));
      });
    }).toList();
    // A member that leaves between the two calls has no info any more: skip it rather than fail the listing.
    return Future.join(members).transform(ignored -> Future.succeededFuture(
      members.stream().filter(Future::succeeded).map(Future::result).toList()));
  }
}
