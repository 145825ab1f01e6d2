package io.auralink.comm.testing.cluster;

import io.auralink.comm.platform.storage.EmbeddedStores;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The PostgreSQL and the Redis a process cluster shares, as a deployment's members share theirs: real servers in
 * processes of their own (the fixture's embedded binaries), on fixed ports with their data under one directory, so
 * the harness can stop one and start it again where the members expect it.
 */
public final class ClusterStores implements AutoCloseable {

  private final Path dir;
  private final int postgresPort = EmbeddedStores.freePort();
  private final int redisPort = EmbeddedStores.freePort();
  private EmbeddedPostgres postgres;
  private RedisServer redis;

  public ClusterStores(Path dir) {
    this.dir = dir;
  }

  public ClusterStores start() {
    startPostgres();
    startRedis();
    return this;
  }

  public String databaseUrl() {
    return "postgresql://postgres@127.0.0.1:" + postgresPort + "/postgres";
  }

  public String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  public synchronized void startPostgres() {
    if (postgres == null) {
      postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"), postgresPort);
    }
  }

  /** A clean stop (PostgreSQL's fast shutdown): open connections are closed, new ones refused. */
  public synchronized void stopPostgres() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        postgres = null;
      }
    }
  }

  public synchronized void startRedis() {
    if (redis == null) {
      redis = EmbeddedStores.startRedis(dir.resolve("redis"), redisPort);
    }
  }

  public synchronized void stopRedis() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        redis = null;
      }
    }
  }

  @Override
  public void close() {
    try {
      stopRedis();
    } finally {
      stopPostgres();
    }
  }
}
