package io.auralink.comm.api;

import io.auralink.comm.mesh.MeshService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * The mesh over HTTP, including the original service's paths. It only translates: the principal becomes a
 * {@link io.auralink.comm.platform.Caller}, the call goes to {@link MeshService} over the event bus.
 */
final class MeshRoutes implements RouteGroup {

  private final MeshService mesh;
  /** This member's own mesh instance, for reads that must see this member's copy of the graph. */
  private final MeshService thisMember;

  MeshRoutes(MeshService mesh, MeshService thisMember) {
    this.mesh = mesh;
    this.thisMember = thisMember;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.ofEntries(
      Map.entry("registerNode", ctx -> mesh.registerNode(body(ctx), Callers.of(ctx)).map(MeshRoutes::registered)),
      Map.entry("listNodes", ctx -> mesh.nodesOf(ctx.queryParams().get("aura_id"), Callers.of(ctx)).map(Reply::ok)),
      // The original's GET /internal/mesh/nodes/{aura_id} lists an AuraID's nodes; a node id answers that node.
      Map.entry("getNode", ctx -> {
        String id = ctx.pathParam("node_id");
        return (id.startsWith("@") ? mesh.nodesOf(id.toLowerCase(java.util.Locale.ROOT), Callers.of(ctx))
          : ("this".equals(ctx.queryParams().get("member")) ? thisMember : mesh).node(id, Callers.of(ctx)))
          .map(Reply::ok);
      }),
      Map.entry("updateNode", ctx -> mesh.updateNode(nodeId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("removeNode", ctx -> mesh.removeNode(nodeId(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("nodeHeartbeat", ctx -> mesh.heartbeat(nodeId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("reportLinks", ctx -> mesh.reportLinks(nodeId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("queryRoute", ctx -> mesh.route(body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("routeOutcome", ctx -> mesh.routeOutcome(ctx.pathParam("route_id"), body(ctx), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("graphStats", ctx -> mesh.graphStats(Callers.of(ctx)).map(Reply::ok)),
      Map.entry("seedRegisterNode", ctx -> mesh.registerNode(seedNode(body(ctx)), Callers.of(ctx))
        .map(MeshRoutes::registered)),
      Map.entry("seedRouteQuery", ctx -> mesh.route(body(ctx), Callers.of(ctx)).map(Reply::ok)),
      // The original README's route query path (the AI Core's contract), on the same route selection.
      Map.entry("seedRoutingQuery", ctx -> mesh.route(body(ctx), Callers.of(ctx)).map(Reply::ok)));
  }

  private static Reply registered(JsonObject node) {
    return Reply.json(node.getBoolean("created") ? 201 : 200, node);
  }

  /**
   * The original's registration fields ({@code aura_id, node_address, node_type, device_type, supports_aic,
   * nat_type, bandwidth_mbps, max_connections}) in today's form; its device is named by its address.
   */
  private static JsonObject seedNode(JsonObject seed) {
    String address = seed.getString("node_address");
    JsonObject node = new JsonObject()
      .put("aura_id", seed.getString("aura_id"))
      .put("device_id", seed.getString("device_id", address == null ? null : address.replaceAll("[^A-Za-z0-9._:-]", "_")))
      .put("address", address)
      .put("capabilities", seed.getBoolean("supports_aic", false) ? new JsonArray().add("audio").add("video").add("aic")
        : new JsonArray().add("audio").add("video"));
    for (String same : new String[] {"node_type", "device_type", "nat_type", "bandwidth_mbps", "max_connections"}) {
      if (seed.containsKey(same)) {
        node.put(same, seed.getValue(same));
      }
    }
    return node;
  }

  private static String nodeId(RoutingContext ctx) {
    return ctx.pathParam("node_id");
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }
}
