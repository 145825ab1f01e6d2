package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.storage.StorageFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The edge's rate limits: one handler per limited operation, after authentication (so that it knows the principal)
 * and before validation (so that malformed requests count too). Each request costs one Redis round trip
 * ({@link SlidingWindowLimiter}); the answer carries {@code RateLimit-Policy} and {@code RateLimit}
 * (draft-ietf-httpapi-ratelimit-headers, structured-field form) and the older {@code X-RateLimit-Limit},
 * {@code -Remaining} and {@code -Reset} (epoch seconds). A spent quota is 429 {@code RATE_LIMITED} with
 * {@code Retry-After}; a shadow quota only counts, logs and measures. While Redis does not answer, requests are
 * admitted without headers (fail-open, the default) or refused with 503 (fail-closed).
 */
final class RateLimits {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimits.class);
  /** One log line per policy at most this often: a flood must not become a log flood. */
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final AppConfig.RateLimits config;
  private final SlidingWindowLimiter limiter;
  private final MeterRegistry metrics;
  /** Per verticle instance, so touched from one event loop only. */
  private final Map<String, Counter> counters = new HashMap<>();
  private final Map<String, Long> lastLogged = new HashMap<>();

  RateLimits(Platform platform, OpenAPIContract contract) {
    this.config = platform.config().rateLimits();
    this.limiter = new SlidingWindowLimiter(platform.redis(), platform.config().redis().commandTimeout().toMillis());
    this.metrics = platform.metrics();
    Set<String> operations = contract.operations().stream().map(Operation::getOperationId).collect(Collectors.toSet());
    for (String name : config.operations().keySet()) {
      String operationId = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
      if (!operations.contains(operationId)) {
        throw new IllegalStateException(AppConfig.RateLimits.OPERATIONS + " names " + operationId
          + ", which is no operationId of " + ApiVerticle.CONTRACT);
      }
    }
  }

  /** The limiting handler of an operation, or empty when nobody is limited on it. */
  Optional<Handler<RoutingContext>> forOperation(Operation operation) {
    return RateLimitPolicy.of(operation.getOperationId(), config).map(policy -> ctx -> limit(ctx, policy));
  }

  private void limit(RoutingContext ctx, RateLimitPolicy policy) {
    Principal principal = ctx.get(Principal.CONTEXT_KEY);
    Optional<RateLimitPolicy.Applied> applied = policy.apply(principal, ctx.request().remoteAddress() == null ? null
      : ctx.request().remoteAddress().hostAddress());
    if (applied.isEmpty()) {
      ctx.next();
      return;
    }
    RateLimitPolicy.Applied limit = applied.get();
    limiter.take(limit.bucket(), limit.quota()).onComplete(done -> {
      if (done.failed()) {
        unavailable(ctx, limit, done.cause());
      } else if (done.result().admitted()) {
        count(limit, "admitted");
        if (!limit.quota().shadow()) {
          headers(ctx.response(), limit, done.result());
        }
        ctx.next();
      } else if (limit.quota().shadow()) {
        count(limit, "shadow_limited");
        logAtMostEvery(limit.name(), "rate limit in shadow mode would refuse {} {}", kv("policy", limit.name()),
          kv("principal", caller(limit)));
        ctx.next();
      } else {
        count(limit, "limited");
        headers(ctx.response(), limit, done.result());
        long retryAfter = Math.max(1, (done.result().resetMillis() + 999) / 1000);
        ctx.fail(new ApiException(EdgeError.RATE_LIMITED, "at most " + limit.quota().requests() + " requests in "
          + limit.quota().windowSeconds() + " seconds (" + limit.name() + "); retry in " + retryAfter + " s",
          new JsonObject().put("limit", limit.name()).put("quota", limit.quota().requests())
            .put("window_seconds", limit.quota().windowSeconds()).put("retry_after_seconds", retryAfter)));
      }
    });
  }

  private void unavailable(RoutingContext ctx, RateLimitPolicy.Applied limit, Throwable cause) {
    logAtMostEvery("redis", "rate limiter cannot reach Redis, requests are {} {} {}",
      kv("on_redis_failure", config.failOpen() ? "admitted" : "refused"), kv("policy", limit.name()),
      kv("error", String.valueOf(cause.getMessage())));
    if (config.failOpen()) {
      count(limit, "unavailable_admitted");
      ctx.next();
    } else {
      count(limit, "unavailable_refused");
      ctx.fail(new ApiException(EdgeError.SERVICE_UNAVAILABLE,
        "the rate limiter cannot be reached and this node refuses unlimited requests; retry shortly",
        new JsonObject().put("retry_after_seconds", StorageFailures.RETRY_AFTER_SECONDS)));
    }
  }

  private static void headers(HttpServerResponse response, RateLimitPolicy.Applied limit,
                              SlidingWindowLimiter.Decision decision) {
    long resetSeconds = (decision.resetMillis() + 999) / 1000;
    String name = "\"" + limit.name() + "\"";
    response.putHeader("RateLimit-Policy", name + ";q=" + limit.quota().requests() + ";w="
        + limit.quota().windowSeconds())
      .putHeader("RateLimit", name + ";r=" + decision.remaining() + ";t=" + resetSeconds)
      .putHeader("X-RateLimit-Limit", String.valueOf(limit.quota().requests()))
      .putHeader("X-RateLimit-Remaining", String.valueOf(decision.remaining()))
      .putHeader("X-RateLimit-Reset", String.valueOf(System.currentTimeMillis() / 1000 + resetSeconds));
  }

  private void count(RateLimitPolicy.Applied limit, String decision) {
    counters.computeIfAbsent(limit.name() + " " + decision, key -> Counter.builder("auralink_rate_limit_requests")
      .description("Requests seen by the edge's rate limits, by policy and decision")
      .tag("policy", limit.name()).tag("decision", decision)
      .register(metrics)).increment();
  }

  /** The caller part of the bucket (e.g. {@code user:@alice.aura}), with control characters made harmless. */
  private static String caller(RateLimitPolicy.Applied limit) {
    String bucket = limit.bucket();
    return RequestTracking.printable(bucket.substring(("ratelimit:" + limit.name() + ":").length()));
  }

  private void logAtMostEvery(String topic, String format, Object... arguments) {
    long now = System.nanoTime();
    Long last = lastLogged.get(topic);
    if (last == null || now - last >= LOG_INTERVAL_NANOS) {
      lastLogged.put(topic, now);
      LOG.warn(format, arguments);
    }
  }
}
