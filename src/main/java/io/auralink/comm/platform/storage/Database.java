package io.auralink.comm.platform.storage;

import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.concurrent.TimeUnit;

/** The node's one PostgreSQL pool, shared by every verticle that needs it. */
public final class Database {

  public static final String POOL_NAME = "auralink-pg";

  private Database() {
  }

  public static Pool createPool(Vertx vertx, AppConfig.Database config) {
    PoolOptions poolOptions = new PoolOptions()
      .setName(POOL_NAME)
      .setShared(true)
      .setMaxSize(config.poolSize())
      // A bounded queue turns overload into a fast failure (503) instead of an ever-growing wait.
      .setMaxWaitQueueSize(config.maxWaitQueue())
      .setConnectionTimeout((int) config.connectTimeout().toMillis())
      .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
      .setIdleTimeout((int) config.idleTimeout().toSeconds())
      .setIdleTimeoutUnit(TimeUnit.SECONDS);
    return PgBuilder.pool()
      .with(poolOptions)
      .with(new NetClientOptions().setConnectTimeout((int) config.connectTimeout().toMillis()).setTcpKeepAlive(true))
      .connectingTo(config.connectOptions())
      .using(vertx)
      .build();
  }

  /** Fails with a message naming the server when PostgreSQL cannot be reached; used at start. */
  public static Future<Void> checkReachable(Pool pool, AppConfig.Database config) {
    PgConnectOptions target = config.connectOptions();
    return pool.query("SELECT 1").execute()
      .timeout(config.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
      .<Void>mapEmpty()
      .recover(e -> Future.failedFuture(new IllegalStateException("cannot reach PostgreSQL at " + target.getHost()
        + ":" + target.getPort() + "/" + target.getDatabase() + " (" + AppConfig.Database.URL + "): "
        + e.getMessage(), e)));
  }
}
