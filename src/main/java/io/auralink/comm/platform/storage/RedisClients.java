package io.auralink.comm.platform.storage;

import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * The node's Redis client. It is pooled: every command borrows a connection and a broken one is replaced on the
 * next use, so a Redis restart heals by itself and an outage only fails the commands made during it.
 */
public final class RedisClients {

  private RedisClients() {
  }

  public static Redis create(Vertx vertx, AppConfig.Redis config) {
    RedisOptions options = new RedisOptions()
      .setConnectionString(config.url())
      .setMaxPoolSize(config.poolSize())
      .setMaxPoolWaiting(config.maxWaiting())
      .setMaxWaitingHandlers(config.maxWaiting())
      .setPoolName("auralink-redis")
      .setNetClientOptions(netClientOptions(config));
    return Redis.createClient(vertx, options);
  }

  /** For {@code rediss://}, the server's certificate and host name are verified (the scheme itself turns TLS on). */
  private static NetClientOptions netClientOptions(AppConfig.Redis config) {
    NetClientOptions options = new NetClientOptions()
      .setConnectTimeout((int) config.commandTimeout().toMillis())
      .setTcpKeepAlive(true)
      .setTcpNoDelay(true);
    if (config.url().startsWith("rediss://")) {
      options.setHostnameVerificationAlgorithm("HTTPS");
      config.caFile().ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    }
    return options;
  }
}
