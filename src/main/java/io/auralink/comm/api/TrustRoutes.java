package io.auralink.comm.api;

import io.auralink.comm.trust.TrustService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * Trust and moderation over HTTP. It only translates: the principal becomes a {@link io.auralink.comm.platform.Caller}, the call goes to
 * {@link TrustService} over the event bus, the answer comes back as JSON.
 */
final class TrustRoutes implements RouteGroup {

  private static final int DEFAULT_QUEUE_PAGE = 50;

  private final TrustService trust;

  TrustRoutes(TrustService trust) {
    this.trust = trust;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.ofEntries(
      Map.entry("trustInfo", ctx -> trust.trustInfo(type(ctx), id(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("moderationLog", ctx -> trust.moderationLog(type(ctx), id(ctx), PageQuery.of(ctx), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("suspendEntity", ctx -> trust.suspend(type(ctx), id(ctx), reason(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("unsuspendEntity", ctx -> trust.unsuspend(type(ctx), id(ctx), reason(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("fileReport", ctx -> trust.report(ctx.body().asJsonObject(), Callers.of(ctx))
        .map(report -> Reply.json(201, report))),
      Map.entry("getReport", ctx -> trust.getReport(reportId(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("claimReport", ctx -> trust.claimReport(reportId(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("resolveReport", ctx -> trust.resolveReport(reportId(ctx), ctx.body().asJsonObject(), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("reviewQueue", ctx -> {
        String limit = ctx.queryParams().get("limit");
        return trust.reviewQueue(limit == null ? DEFAULT_QUEUE_PAGE : Integer.parseInt(limit), Callers.of(ctx)).map(Reply::ok);
      }),
      Map.entry("vouchNode", ctx -> trust.vouchNode(ctx.pathParam("node_id"), ctx.body().asJsonObject(), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("listFederatedServers", ctx -> trust.federatedServers(PageQuery.of(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("putFederatedServer", ctx -> trust.putFederatedServer(domain(ctx), ctx.body().asJsonObject(), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("blockFederatedServer", ctx -> trust.blockFederatedServer(domain(ctx), reason(ctx), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("unblockFederatedServer", ctx -> trust.unblockFederatedServer(domain(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("checkFederatedServer", ctx -> trust.checkFederatedServer(domain(ctx), Callers.of(ctx)).map(Reply::ok)));
  }

  private static String type(RoutingContext ctx) {
    return ctx.pathParam("entity_type");
  }

  private static String id(RoutingContext ctx) {
    return ctx.pathParam("entity_id");
  }

  private static String reportId(RoutingContext ctx) {
    return ctx.pathParam("report_id");
  }

  private static String domain(RoutingContext ctx) {
    return ctx.pathParam("domain");
  }

  private static String reason(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? null : body.getString("reason");
  }
}
