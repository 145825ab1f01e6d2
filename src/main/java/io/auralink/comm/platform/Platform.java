package io.auralink.comm.platform;

import io.auralink.comm.platform.bus.LoopAddresses;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.health.Readiness;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;

import java.time.Instant;

/**
 * What a node shares with every verticle it deploys: its configuration, storage clients, cluster manager,
 * metrics registry, readiness checks and the event-loop layout of its event bus. Verticles take what they need from here and build the rest themselves.
 */
public record Platform(AppConfig config, Pool pool, Redis redis, ClusterManager cluster,
                       PrometheusMeterRegistry metrics, Readiness readiness, LoopAddresses loops,
                       Instant startedAt) {
}
