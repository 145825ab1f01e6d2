package io.auralink.comm.api;

import io.auralink.comm.call.CallService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * Calls over HTTP. It only translates: the principal becomes a {@link io.auralink.comm.platform.Caller}, the call goes
 * to {@link CallService} over the event bus, the answer comes back as JSON.
 */
final class CallRoutes implements RouteGroup {

  private final CallService calls;

  CallRoutes(CallService calls) {
    this.calls = calls;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.ofEntries(
      Map.entry("inviteCall", ctx -> calls.invite(body(ctx), Callers.of(ctx))
        .map(call -> Reply.json(call.getBoolean("created", true) ? 201 : 200, call))),
      Map.entry("answerCall", ctx -> calls.answer(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("joinCall", ctx -> calls.join(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("leaveCall", ctx -> calls.leave(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("declineCall", ctx -> calls.decline(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("cancelCall", ctx -> calls.cancel(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("hangupCall", ctx -> calls.hangup(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("terminateCall", ctx -> calls.terminate(callId(ctx), body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("getCall", ctx -> calls.call(callId(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("callHistory", ctx -> calls.history(HistoryQuery.of(ctx), Callers.of(ctx)).map(Reply::ok)));
  }

  private static String callId(RoutingContext ctx) {
    return ctx.pathParam("call_id");
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }
}
