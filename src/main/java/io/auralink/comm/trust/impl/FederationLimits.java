package io.auralink.comm.trust.impl;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Requests per federated server per minute, counted cluster-wide in Redis (a fixed one-minute window per server).
 * If Redis cannot count, the limit is not applied: a limiter outage must not cut federation off.
 */
final class FederationLimits {

  private static final Logger LOG = LoggerFactory.getLogger(FederationLimits.class);

  private final Redis redis;

  FederationLimits(Redis redis) {
    this.redis = redis;
  }

  /** This request's number within the current minute for {@code domain}, or empty if it could not be counted. */
  Future<Optional<Long>> count(String domain) {
    String key = "trust:federation:requests:" + domain + ":" + (System.currentTimeMillis() / 60_000);
    return redis.batch(List.of(Request.cmd(Command.INCR).arg(key), Request.cmd(Command.EXPIRE).arg(key).arg(120)))
      .map(replies -> Optional.of(replies.get(0).toLong()))
      .recover(e -> {
        LOG.warn("federation request limit not applied: Redis did not count {} {}", kv("domain", domain),
          kv("error", String.valueOf(e.getMessage())));
        return Future.succeededFuture(Optional.empty());
      });
  }
}
