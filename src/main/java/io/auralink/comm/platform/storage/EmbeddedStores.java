package io.auralink.comm.platform.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real PostgreSQL and a real Redis, shipped as Maven artifacts and run as child processes, for start-dev and
 * for the test fixture. Data lives under the given directory so a restart keeps it; each server takes a free port
 * so several nodes on one machine never collide. Starting them blocks: call this from a main or test thread.
 */
public final class EmbeddedStores implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStores.class);

  private final EmbeddedPostgres postgres;
  private final RedisServer redis;
  private final int redisPort;

  private EmbeddedStores(EmbeddedPostgres postgres, RedisServer redis, int redisPort) {
    this.postgres = postgres;
    this.redis = redis;
    this.redisPort = redisPort;
  }

  public static EmbeddedStores start(Path dataDir) {
    EmbeddedPostgres postgres = startPostgres(dataDir.resolve("postgres"));
    try {
      int redisPort = freePort();
      RedisServer redis = startRedis(dataDir.resolve("redis"), redisPort);
      return new EmbeddedStores(postgres, redis, redisPort);
    } catch (RuntimeException e) {
      closeQuietly(postgres);
      throw e;
    }
  }

  public static EmbeddedPostgres startPostgres(Path dir) {
    return startPostgres(dir, freePort());
  }

  /** A PostgreSQL server keeping its data in {@code dir}; stop and start it again to simulate an outage. */
  public static EmbeddedPostgres startPostgres(Path dir, int port) {
    try {
      Files.createDirectories(dir);
      return EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dir, e);
    }
  }

  /** A Redis server with an append-only file under {@code dir}; stop and start it again to simulate an outage. */
  public static RedisServer startRedis(Path dir, int port) {
    try {
      // Its append-only file holds everything Redis holds: readable by the owner only.
      PrivateFiles.directory(dir);
      RedisServer server = RedisServer.newRedisServer()
        .port(port)
        .bind("127.0.0.1")
        .setting("dir " + dir.toAbsolutePath())
        .setting("appendonly yes")
        .setting("save \"\"")
        .setting("databases 64")
        .build();
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded Redis in " + dir, e);
    }
  }

  public String databaseUrl() {
    return databaseUrl(postgres, "postgres");
  }

  public static String databaseUrl(EmbeddedPostgres postgres, String database) {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/" + database;
  }

  public String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  public EmbeddedPostgres postgres() {
    return postgres;
  }

  @Override
  public void close() {
    try {
      redis.stop();
    } catch (IOException e) {
      LOG.warn("embedded Redis did not stop cleanly", e);
    }
    closeQuietly(postgres);
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("embedded PostgreSQL did not stop cleanly", e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on the loopback interface", e);
    }
  }
}
