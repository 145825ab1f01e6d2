package io.auralink.comm.echo;

import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Serves {@link EchoService} at {@link EchoService#ADDRESS}: an answer at once, nothing held. */
public final class EchoVerticle extends ServiceVerticle<EchoService> {

  public EchoVerticle(Platform platform) {
    super(platform, EchoService.class, EchoService.ADDRESS);
  }

  @Override
  protected Future<EchoService> startService() {
    String nodeId = platform.cluster().getNodeId();
    return Future.succeededFuture((message, caller) -> Future.succeededFuture(new JsonObject()
      .put("message", message.getValue("message"))
      .put("principal", caller.principal())
      .put("node_id", nodeId)));
  }

  @Override
  protected Future<?> stopService() {
    return Future.succeededFuture();
  }
}
