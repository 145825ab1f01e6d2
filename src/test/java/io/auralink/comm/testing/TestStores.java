package io.auralink.comm.testing;

import io.auralink.comm.platform.storage.EmbeddedStores;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test JVM's PostgreSQL and Redis: real servers, started once. By default they are the embedded ones
 * (so the suite needs nothing but a JDK); {@code AURALINK_TEST_DATABASE_URL} and {@code AURALINK_TEST_REDIS_URL}
 * point the suite at external servers instead. Each caller gets a database of its own.
 */
public final class TestStores {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static TestStores instance;

  private final String adminUrl;
  private final String redisUrl;

  private TestStores(String adminUrl, String redisUrl) {
    this.adminUrl = adminUrl;
    this.redisUrl = redisUrl;
  }

  public static synchronized TestStores get() {
    if (instance == null) {
      instance = start();
    }
    return instance;
  }

  private static TestStores start() {
    String database = System.getenv("AURALINK_TEST_DATABASE_URL");
    String redis = System.getenv("AURALINK_TEST_REDIS_URL");
    Path dir = tempDir();
    if (database == null) {
      EmbeddedPostgres postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres)));
      database = EmbeddedStores.databaseUrl(postgres, "postgres");
    }
    if (redis == null) {
      int port = EmbeddedStores.freePort();
      RedisServer server = EmbeddedStores.startRedis(dir.resolve("redis"), port);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(server)));
      redis = "redis://127.0.0.1:" + port;
    }
    return new TestStores(database, redis);
  }

  /** A new, empty database on the test server; returns its URL. */
  public String newDatabase(String purpose) {
    String name = "t_" + purpose.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + DATABASES.incrementAndGet()
      + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
    PgConnectOptions admin = PgConnectOptions.fromUri(adminUrl);
    try (Connection connection = jdbc(adminUrl); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    String credentials = admin.getUser() + (admin.getPassword() == null || admin.getPassword().isEmpty()
      ? "" : ":" + admin.getPassword());
    return "postgresql://" + credentials + "@" + admin.getHost() + ":" + admin.getPort() + "/" + name;
  }

  /** The test Redis; a random logical database so that test classes do not see each other's keys. */
  public String redisUrl() {
    return redisUrl(String.valueOf(ThreadLocalRandom.current().nextInt()));
  }

  /**
   * The test Redis's logical database for {@code cluster}: every member of one test cluster shares it, as the
   * members of a deployment share their Redis (a member with a cache of its own would keep what another member's
   * change invalidated).
   */
  public String redisUrl(String cluster) {
    return redisUrl.replaceFirst("/\\d+$", "") + "/" + (1 + Math.floorMod(cluster.hashCode(), 15));
  }

  /** A JDBC connection for assertions made from the test thread. */
  public static Connection jdbc(String url) throws SQLException {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    return DriverManager.getConnection("jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/"
      + options.getDatabase(), options.getUser(), options.getPassword());
  }

  public static Path tempDir() {
    try {
      Path dir = Files.createTempDirectory("auralink-test-");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException ignored) {
      // the JVM is going away
    }
  }

  private static void stopQuietly(RedisServer server) {
    try {
      server.stop();
    } catch (IOException ignored) {
      // the JVM is going away
    }
  }
}
