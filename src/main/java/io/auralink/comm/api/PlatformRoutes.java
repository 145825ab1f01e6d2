package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.cluster.ClusterMembers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/** Token introspection and cluster membership. */
final class PlatformRoutes implements RouteGroup {

  private final Platform platform;

  PlatformRoutes(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.of(
      "whoami", ctx -> Future.succeededFuture(Reply.ok(ctx.<Principal>get(Principal.CONTEXT_KEY).toJson())),
      "clusterMembers", ctx -> {
        String role = ctx.queryParams().get("role");
        return ClusterMembers.list(platform.cluster()).map(members -> Reply.ok(new JsonObject()
          .put("local_node_id", platform.cluster().getNodeId())
          .put("members", new JsonArray(members.stream()
            .filter(m -> role == null || m.roles().contains(role))
            .map(ClusterMembers.Member::toJson)
            .toList()))));
      });
  }
}
