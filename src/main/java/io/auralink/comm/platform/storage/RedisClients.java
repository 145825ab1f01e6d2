package io.auralink.comm.platform.storage;

import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
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
      .setNetClientOptions(new NetClientOptions()
        .setConnectTimeout((int) config.commandTimeout().toMillis())
        .setTcpKeepAlive(true)
        .setTcpNoDelay(true));
    return Redis.createClient(vertx, options);
  }
}
