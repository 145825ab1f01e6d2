package io.auralink.comm.api;

import io.auralink.comm.platform.config.Quota;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An exact sliding-window limiter shared by every cluster member through Redis: each bucket is a sorted set of the
 * admission times of the last window, and one Lua script trims it, counts, and admits or refuses atomically, on
 * Redis's own clock (so members' clocks do not matter). One round trip per request: {@code EVALSHA}, and only
 * when Redis does not know the script yet (first use, or after a restart) an {@code EVAL} that loads it.
 * Refused requests are not recorded, so a flood never grows a bucket beyond its quota.
 */
final class SlidingWindowLimiter {

  /** The answer for one request: admitted or not, quota left, and milliseconds until the oldest counted request leaves. */
  record Decision(boolean admitted, int remaining, long resetMillis) {
  }

  /**
   * KEYS[1] the bucket; ARGV[1] the quota, ARGV[2] the window (ms), ARGV[3] a unique member for this request.
   * Answers {admitted 1|0, remaining, milliseconds until the oldest entry leaves the window}.
   */
  static final String SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local limit = tonumber(ARGV[1])
    local window = tonumber(ARGV[2]) * 1000
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
    local count = redis.call('ZCARD', KEYS[1])
    local admitted = 0
    if count < limit then
      redis.call('ZADD', KEYS[1], now, ARGV[3])
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      count = count + 1
      admitted = 1
    end
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    local reset = 0
    if oldest[2] then reset = math.ceil((tonumber(oldest[2]) + window - now) / 1000) end
    return {admitted, limit - count, reset}
    """;

  private static final String SHA = sha1(SCRIPT);

  private final Redis redis;
  private final long timeoutMillis;

  SlidingWindowLimiter(Redis redis, long timeoutMillis) {
    this.redis = redis;
    this.timeoutMillis = timeoutMillis;
  }

  /** Takes one request from {@code bucket}'s quota, or says it is spent; fails when Redis does not answer in time. */
  Future<Decision> take(String bucket, Quota quota) {
    String member = Long.toHexString(ThreadLocalRandom.current().nextLong())
      + Long.toHexString(ThreadLocalRandom.current().nextLong());
    return redis.send(request(Command.EVALSHA, SHA, bucket, quota, member))
      .recover(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")
        ? redis.send(request(Command.EVAL, SCRIPT, bucket, quota, member))
        : Future.failedFuture(e))
      .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
      .map(SlidingWindowLimiter::decision);
  }

  private static Request request(Command command, String script, String bucket, Quota quota, String member) {
    return Request.cmd(command).arg(script).arg(1).arg(bucket)
      .arg(quota.requests()).arg(quota.window().toMillis()).arg(member);
  }

  private static Decision decision(Response reply) {
    return new Decision(reply.get(0).toInteger() == 1, reply.get(1).toInteger(), reply.get(2).toLong());
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
