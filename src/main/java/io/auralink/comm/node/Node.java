package io.auralink.comm.node;

import io.auralink.comm.api.auth.JwtKeys;
import io.auralink.comm.platform.BuildInfo;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.bus.LoopAddresses;
import io.auralink.comm.platform.bus.MemberRouting;
import io.auralink.comm.platform.cluster.ClusterManagers;
import io.auralink.comm.platform.cluster.ClusterMembers;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Role;
import io.auralink.comm.platform.health.Readiness;
import io.auralink.comm.platform.storage.Database;
import io.auralink.comm.platform.crypto.KeysInUse;
import io.auralink.comm.platform.crypto.Sealer;
import io.auralink.comm.platform.storage.Migrations;
import io.auralink.comm.platform.storage.RedisClients;
import io.auralink.comm.platform.tls.MemberProbe;
import io.auralink.comm.platform.tls.TlsPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * One AuraLink node: a clustered Vert.x with its storage clients and the verticles its roles deploy (see
 * {@link Composition}). {@link #start} builds it in order (cluster, PostgreSQL reachable, migrations, Redis,
 * verticles) and undoes what it built if a step fails; {@link #close} shuts it down gracefully.
 */
public final class Node {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private final Vertx vertx;
  private final Platform platform;
  private final List<String> deployments;

  private Node(Vertx vertx, Platform platform, List<String> deployments) {
    this.vertx = vertx;
    this.platform = platform;
    this.deployments = deployments;
  }

  /**
   * Starts a node. Reads key files and the cluster XML first, so call it from a main or test thread, never from
   * an event loop.
   */
  /** The HTTP methods of RFC 9110 and PATCH: the values the metrics' {@code method} label may take besides OTHER. */
  static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
    "TRACE", "CONNECT");

  public static Future<Node> start(AppConfig config) {
    initialiseAllocatorEvents();
    // Outbound HTTPS and the stores may use TLS whatever the listeners do: always worth it.
    TlsPolicy.warmUp();
    JWTAuthOptions jwtOptions = JwtKeys.verification(config.jwt());
    ClusterManager clusterManager = ClusterManagers.create(config.cluster());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A client may invent method names (ZQ7X): each would add a series to every HTTP meter. The label keeps the
    // standard methods and says OTHER for the rest, so the number of series stays bounded whatever is sent.
    // Only Vert.x's HTTP meters: other meters have a "method" of their own (verification's email, sms, …).
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        String method = id.getTag("method");
        return method == null || STANDARD_METHODS.contains(method) || !id.getName().startsWith("vertx.http") ? id
          : id.replaceTags(Tags.of(id.getTagsAsIterable()).and("method", "OTHER"));
      }
    });
    return Vertx.builder()
      .with(vertxOptions(config))
      .withClusterManager(clusterManager)
      .withMetrics(new MicrometerMetricsFactory(registry))
      .buildClustered()
      .compose(vertx -> closeOnFailure(vertx, boot(vertx, config, clusterManager, registry, jwtOptions)));
  }

  /**
   * Netty's first chunk allocation registers its allocator events with the JDK's flight recorder, a one-time
   * initialisation of half a second or more on a busy machine: done here, on the caller's thread, so that no event
   * loop pays it with the node's first query.
   */
  private static void initialiseAllocatorEvents() {
    new AdaptiveByteBufAllocator().directBuffer(1).release();
  }

  /**
   * On failure, closes Vert.x before reporting it. The answer goes through a context-free promise: a future bound
   * to one of Vert.x's event loops could not deliver it once Vert.x has closed its event loops.
   */
  private static <T> Future<T> closeOnFailure(Vertx vertx, Future<T> attempt) {
    Promise<T> outcome = Promise.promise();
    attempt.onComplete(result -> {
      if (result.succeeded()) {
        outcome.complete(result.result());
      } else {
        vertx.close().onComplete(closed -> outcome.fail(result.cause()));
      }
    });
    return outcome.future();
  }

  private static Future<Node> boot(Vertx vertx, AppConfig config, ClusterManager clusterManager,
                                   PrometheusMeterRegistry registry, JWTAuthOptions jwtOptions) {
    Pool pool = Database.createPool(vertx, config.database());
    Redis redis = RedisClients.create(vertx, config.redis());
    Readiness readiness = new Readiness(pool, redis, clusterManager, config.cluster().minimumMembers(),
      config.redis().commandTimeout());
    MemberRouting members = new MemberRouting(vertx, clusterManager, config.node().eventBusTimeout().toMillis());
    ClusterManagers.onMemberLeft(clusterManager, members::memberLeft);
    config.transport().cluster().ifPresent(tls -> MemberProbe.start(vertx, clusterManager, tls, registry));
    Platform platform = new Platform(config, pool, redis, clusterManager, registry, readiness,
      new LoopAddresses(vertx, members), Instant.now());
    JWTAuth jwt = JWTAuth.create(vertx, jwtOptions);
    return Database.checkReachable(pool, config.database())
      .compose(reachable -> Migrations.apply(vertx, config.database()))
      .onSuccess(result -> LOG.info("schema is current {} {}", kv("applied_migrations", result.applied()),
        kv("schema_version", result.version())))
      // A sealed value under a key the configuration dropped could never be read again: refuse to start.
      .compose(migrated -> KeysInUse.check(pool, config.data()))
      .compose(keysChecked -> config.data().configured()
        ? vertx.executeBlocking(() -> {
          Sealer.from(config.data()).selfTest();
          return null;
        })
        : Future.succeededFuture())
      .compose(keysChecked -> warnIfRedisDown(readiness))
      .compose(checked -> Composition.deploy(vertx, config.node().roles(), Composition.table(platform, jwt)))
      .map(deployments -> {
        LOG.info("node started {} {} {} {} {}", kv("node_id", clusterManager.getNodeId()),
          kv("roles", config.node().roles()), kv("http_port", config.http().port()),
          kv("transport", vertx.isNativeTransportEnabled() ? "epoll" : "nio"),
          kv("storage", config.node().embeddedStorage() ? "embedded" : "external"));
        return new Node(vertx, platform, deployments);
      })
      .recover(failure -> {
        pool.close();
        redis.close();
        return Future.failedFuture(failure);
      });
  }

  /** Redis being down is not fatal: the node starts degraded (still ready) and heals when Redis returns. */
  private static Future<Void> warnIfRedisDown(Readiness readiness) {
    return readiness.report().map(report -> {
      JsonObject redis = report.getJsonObject("checks").getJsonObject("redis");
      if (!"UP".equals(redis.getString("status"))) {
        LOG.warn("Redis is not reachable; the node starts degraded (cache misses, no federation limits) until it is {}",
          kv("error", redis.getString("error")));
      }
      return null;
    });
  }

  private static VertxOptions vertxOptions(AppConfig config) {
    JsonObject metadata = new JsonObject()
      .put(ClusterMembers.ROLES, new JsonArray(config.node().roles().stream().map(Role::id).toList()))
      .put(ClusterMembers.VERSION, BuildInfo.VERSION);
    long blockedWarningMillis = config.node().blockedThreadWarning().toMillis();
    return new VertxOptions()
      .setPreferNativeTransport(true)
      .setEventLoopPoolSize(config.node().eventLoops())
      .setEventBusOptions(eventBusOptions(config, metadata))
      .setMaxEventLoopExecuteTime(blockedWarningMillis)
      .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setBlockedThreadCheckInterval(Math.max(10, blockedWarningMillis / 2))
      .setWarningExceptionTime(blockedWarningMillis)
      .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
      .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      .setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
          Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_FAILURE, Label.EB_SIDE)));
  }

  /**
   * The clustered event bus; with cluster certificates, TLS both ways with client authentication: a member accepts
   * connections only from holders of a certificate the cluster CA issued, and connects only to them.
   */
  private static EventBusOptions eventBusOptions(AppConfig config, JsonObject metadata) {
    EventBusOptions options = new EventBusOptions()
      .setHost(config.cluster().host())
      .setPort(0)
      .setClusterPublicHost(config.cluster().host())
      .setClusterNodeMetadata(metadata);
    config.transport().cluster().ifPresent(tls -> {
      TlsPolicy.applyCluster(options, tls);
      options.setClientAuth(ClientAuth.REQUIRED);
    });
    return options;
  }

  /**
   * Graceful shutdown: undeploy the verticles (the HTTP servers stop accepting and finish in-flight requests),
   * close the storage clients, then close Vert.x, which leaves the cluster.
   */
  public Future<Void> close() {
    LOG.info("node stopping {}", kv("node_id", platform.cluster().getNodeId()));
    Promise<Void> closed = Promise.promise();
    Future.join(deployments.stream().map(vertx::undeploy).toList())
      .transform(ignored -> Future.join(platform.pool().close(), platform.redis().close()))
      // vertx.close() answers on a thread of its own, after its event loops are gone: no chaining past it.
      .onComplete(ignored -> vertx.close().onComplete(result -> {
        LOG.info("node stopped");
        closed.handle(result);
      }));
    return closed.future();
  }

  public Vertx vertx() {
    return vertx;
  }

  public Platform platform() {
    return platform;
  }
}
