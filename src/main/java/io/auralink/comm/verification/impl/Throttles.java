package io.auralink.comm.verification.impl;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.Optional;

/**
 * The send throttles, cluster-wide in Redis: one send per destination per interval, and a number of sends per
 * AuraID per hour. Both are checked and taken in one script, so concurrent starts on several members cannot
 * overrun them. If Redis cannot answer, nothing is sent (the failure propagates): an unthrottled SMS sender is
 * the abuse this prevents.
 */
final class Throttles {

  private static final Duration HOUR = Duration.ofHours(1);
  /**
   * KEYS[1] the destination's key, KEYS[2] the AuraID's hourly counter; ARGV[1] the destination interval (ms),
   * ARGV[2] the hourly allowance. Answers {0, 0} when taken, or {1|2, milliseconds to wait}.
   */
  private static final String SCRIPT = """
    local wait = redis.call('PTTL', KEYS[1])
    if wait > 0 then return {1, wait} end
    local sent = tonumber(redis.call('GET', KEYS[2]) or '0')
    if sent >= tonumber(ARGV[2]) then return {2, redis.call('PTTL', KEYS[2])} end
    redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
    if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
    return {0, 0}
    """;

  /** Which throttle refused, and for how long. */
  record Refusal(String scope, Duration retryAfter) {
  }

  private final Redis redis;
  private final Duration destinationInterval;
  private final int sendsPerHour;

  Throttles(Redis redis, Duration destinationInterval, int sendsPerHour) {
    this.redis = redis;
    this.destinationInterval = destinationInterval;
    this.sendsPerHour = sendsPerHour;
  }

  /** Takes one send for the destination and the AuraID, or says which limit refuses it. */
  Future<Optional<Refusal>> take(String destinationKey, String auraId) {
    return redis.send(Request.cmd(Command.EVAL).arg(SCRIPT).arg(2)
        .arg("verification:destination:" + destinationKey).arg("verification:sends:" + auraId)
        .arg(destinationInterval.toMillis()).arg(sendsPerHour).arg(HOUR.toMillis()))
      .map(Throttles::refusal);
  }

  private static Optional<Refusal> refusal(Response reply) {
    long outcome = reply.get(0).toLong();
    if (outcome == 0) {
      return Optional.empty();
    }
    // Round up: a client waiting the whole seconds said must find the limit open.
    Duration wait = Duration.ofMillis(Math.max(1000, reply.get(1).toLong() + 999));
    return Optional.of(new Refusal(outcome == 1 ? "destination" : "aura_id", Duration.ofSeconds(wait.toMillis() / 1000)));
  }
}
