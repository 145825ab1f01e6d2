package io.auralink.comm.mesh;

import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.identity.IdentityEvents;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.impl.MeshServiceImpl;
import io.auralink.comm.mesh.replication.ClusterGraph;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.ServiceVerticle;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.trust.TrustEvents;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Serves {@link MeshService} at {@link MeshService#ADDRESS} from this member's hot graph: it joins the cluster graph
 * (restoring it from PostgreSQL after a full restart), builds the local graph from a snapshot and keeps it current
 * from map events, runs the heartbeat flush, the offline sweep and the
 * nodes' service reports to the trust domain, and listens to identity and trust events (owners'
 * standing, visibility decisions, nodes' trust). Deploy one per node: each instance holds a whole graph.
 */
public final class MeshVerticle extends ServiceVerticle<MeshService> {

  private ClusterGraph cluster;
  private MeshServiceImpl service;
  private MessageConsumer<JsonObject> trustEvents;
  private MessageConsumer<JsonObject> identityEvents;
  private WebClient web;
  private long flushTimer;
  private long sweepTimer;
  private long serviceTimer;

  public MeshVerticle(Platform platform) {
    super(platform, MeshService.class, MeshService.ADDRESS);
  }

  @Override
  protected Future<MeshService> startService() {
    Context context = vertx.getOrCreateContext();
    AppConfig.Mesh config = platform.config().mesh();
    web = OutboundTls.webClient(vertx, platform.config().transport(), new WebClientOptions());
    MeshGraph graph = new MeshGraph();
    HazelcastClusterManager hazelcast = (HazelcastClusterManager) platform.cluster();
    return vertx.executeBlocking(() -> {
        cluster = new ClusterGraph(hazelcast.getHazelcastInstance());
        service = MeshServiceImpl.create(vertx, platform, cluster, graph, web);
        // Listen before the snapshot, so that nothing changed in between is missed; versions order the two.
        cluster.listen(change -> context.runOnContext(v -> service.replicated(change)));
        cluster.onPartitionLost(() -> context.runOnContext(v -> service.partitionLost()));
        return service;
      }, false)
      .compose(created -> service.restoreIfEmpty(platform.cluster().getNodeId()))
      .compose(restored -> service.load())
      .compose(loaded -> {
        flushTimer = vertx.setPeriodic(config.flushInterval().toMillis(), id -> {
          service.flushBeats();
          service.flushRoutes();
        });
        sweepTimer = vertx.setPeriodic(config.sweepInterval().toMillis(), id -> service.sweep());
        serviceTimer = vertx.setPeriodic(config.serviceReportInterval().toMillis(), id -> service.reportService());
        trustEvents = vertx.eventBus().consumer(TrustEvents.CHANGED, message -> service.trustChanged(message.body()));
        identityEvents = vertx.eventBus().consumer(IdentityEvents.CHANGED,
          message -> service.identityChanged(message.body()));
        return Future.all(trustEvents.completion(), identityEvents.completion()).map(service);
      });
  }

  @Override
  protected Future<?> stopService() {
    vertx.cancelTimer(flushTimer);
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(serviceTimer);
    service.flushBeats();
    return Future.join(trustEvents.unregister(), identityEvents.unregister(), service.flushRoutes())
      .compose(v -> vertx.executeBlocking(() -> {
        cluster.stopListening();
        return null;
      }, false))
      .eventually(() -> {
        web.close();
        return Future.succeededFuture();
      });
  }
}
