package io.auralink.comm.api;

import io.auralink.comm.platform.storage.StorageFailures;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses changes while this node sees fewer cluster members than {@code AURALINK_CLUSTER_MIN_MEMBERS}: cut off
 * into a minority (a frozen or partitioned member), it could acknowledge writes that the majority never sees. The
 * answer is 503 {@code CLUSTER_MINORITY} with {@code Retry-After}; reads are still served, and readiness reports the
 * node unready so that a load balancer sends its traffic elsewhere. Runs on every operation that is not a read.
 */
final class MinorityGuard implements Handler<RoutingContext> {

  private final ClusterManager cluster;
  private final int minimumMembers;

  MinorityGuard(ClusterManager cluster, int minimumMembers) {
    this.cluster = cluster;
    this.minimumMembers = minimumMembers;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // The member list is Hazelcast's local view: reading it does not block.
    int members = cluster.isActive() ? cluster.getNodes().size() : 0;
    if (members >= minimumMembers) {
      ctx.next();
      return;
    }
    ctx.fail(new ApiException(EdgeError.CLUSTER_MINORITY, "this node sees " + members + " of the " + minimumMembers
      + " cluster members it needs to accept changes; retry shortly (another node may take it)",
      new JsonObject().put("members", members).put("minimum_members", minimumMembers)
        .put("retry_after_seconds", StorageFailures.RETRY_AFTER_SECONDS)));
  }
}
