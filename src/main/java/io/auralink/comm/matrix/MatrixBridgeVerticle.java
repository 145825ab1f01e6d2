package io.auralink.comm.matrix;

import io.auralink.comm.matrix.impl.Bridge;
import io.auralink.comm.platform.Platform;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Matrix bridge: the Application Service edge toward the homeserver on its own listener
 * ({@code AURALINK_MATRIX_AS_HOST}/{@code AURALINK_MATRIX_AS_PORT}), its durable intake and the processor that turns
 * Matrix call signalling into calls of the call domain. It only wires {@link Bridge}. Without an {@code hs_token}
 * ({@code AURALINK_MATRIX_HS_TOKEN}) the homeserver cannot be authenticated, so the bridge stays off and says so.
 */
public final class MatrixBridgeVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MatrixBridgeVerticle.class);

  private final Platform platform;
  private Bridge bridge;

  public MatrixBridgeVerticle(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Future<?> start() {
    if (platform.config().matrix().hsToken().isEmpty()) {
      LOG.warn("Matrix bridge off: AURALINK_MATRIX_HS_TOKEN is not set, so no homeserver transactions are accepted");
      return Future.succeededFuture();
    }
    return Bridge.start(vertx, platform, platform.cluster().getNodeId() + "/" + deploymentID())
      .onSuccess(started -> bridge = started);
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.stop();
  }
}
