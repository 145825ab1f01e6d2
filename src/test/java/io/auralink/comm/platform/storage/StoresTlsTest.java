package io.auralink.comm.platform.storage;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestCertificates;
import io.auralink.comm.testing.TestStores;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Command;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL and Redis over TLS when their URLs ask for it: against a PostgreSQL and a Redis started here with
 * certificates from a test CA. The server certificate is verified (a client without the CA is refused), and the
 * session really is encrypted (PostgreSQL's pg_stat_ssl says so; Redis listens on its TLS port only).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StoresTlsTest {

  private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

  private static TestCertificates ca;
  private static EmbeddedPostgres postgres;
  private static Process redis;
  private static int redisPort;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws IOException {
    ca = TestCertificates.newAuthority("stores-ca");
    TestCertificates.Files pgFiles = ca.server("postgres");
    Path dir = TestStores.tempDir().resolve("pg-tls");
    Files.createDirectories(dir);
    postgres = EmbeddedPostgres.builder()
      .setDataDirectory(dir)
      .setCleanDataDirectory(true)
      .setPort(EmbeddedStores.freePort())
      .setServerConfig("ssl", "on")
      .setServerConfig("ssl_cert_file", pgFiles.cert().toString())
      .setServerConfig("ssl_key_file", pgFiles.key().toString())
      .setServerConfig("ssl_min_protocol_version", "TLSv1.2")
      .start();
    if (Files.isExecutable(REDIS_SERVER)) {
      TestCertificates.Files redisFiles = ca.server("redis");
      redisPort = EmbeddedStores.freePort();
      redis = new ProcessBuilder(REDIS_SERVER.toString(), "--port", "0", "--tls-port", String.valueOf(redisPort),
        "--bind", "127.0.0.1", "--tls-cert-file", redisFiles.cert().toString(),
        "--tls-key-file", redisFiles.key().toString(), "--tls-ca-cert-file", ca.caFile().toString(),
        "--tls-auth-clients", "no", "--save", "", "--appendonly", "no")
        .redirectErrorStream(true).redirectOutput(TestStores.tempDir().resolve("redis.log").toFile()).start();
      Await.until(Duration.ofSeconds(20), "redis-server listens on its TLS port", () -> {
        try (Socket socket = new Socket("127.0.0.1", redisPort)) {
          return true;
        } catch (IOException notYet) {
          return !redis.isAlive();
        }
      });
    }
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws IOException {
    if (vertx != null) {
      Await.result(vertx.close());
    }
    if (redis != null) {
      redis.destroy();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void postgresql_with_verify_full_and_the_ca_is_encrypted_and_verified() {
    AppConfig.Database database = database("verify-full", true);
    Pool pool = Database.createPool(vertx, database);
    try {
      Row row = Await.result(pool.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").execute())
        .iterator().next();
      assertTrue(row.getBoolean("ssl"));
      assertTrue(row.getString("version").startsWith("TLSv1."), row.getString("version"));
    } finally {
      pool.close();
    }
    // Migrations speak JDBC: the same URL and CA reach the server, verified.
    assertTrue(Migrations.flyway(database).info() != null);
  }

  @Test
  void postgresql_with_sslmode_require_still_verifies_the_certificate() {
    Pool unverified = Database.createPool(vertx, database("require", false));
    try {
      Await.failure(unverified.query("SELECT 1").execute());
    } finally {
      unverified.close();
    }
    assertThrows(RuntimeException.class, () -> Migrations.flyway(database("require", false)).info());
    Pool verified = Database.createPool(vertx, database("require", true));
    try {
      assertEquals(1, Await.result(verified.query("SELECT 1").execute()).size());
    } finally {
      verified.close();
    }
  }

  @Test
  void redis_over_rediss_is_verified_against_the_ca() {
    Assumptions.assumeTrue(redis != null, "redis-server is not installed at " + REDIS_SERVER
      + " (Debian: apt-get install redis-server): Redis over TLS is not tested here");
    Redis verified = RedisClients.create(vertx, redis(true));
    try {
      assertEquals("PONG", Await.result(verified.send(Request.cmd(Command.PING))).toString());
    } finally {
      verified.close();
    }
    Redis unverified = RedisClients.create(vertx, redis(false));
    try {
      Await.failure(unverified.send(Request.cmd(Command.PING)));
    } finally {
      unverified.close();
    }
  }

  private static AppConfig.Database database(String sslMode, boolean withCa) {
    Map<String, String> values = new HashMap<>();
    values.put("AURALINK_DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:" + postgres.getPort()
      + "/postgres?sslmode=" + sslMode);
    values.put("AURALINK_DATABASE_CONNECT_TIMEOUT", "5s");
    if (withCa) {
      values.put("AURALINK_DATABASE_CA_FILE", ca.caFile().toString());
    }
    return AppConfig.Database.from(Settings.of(values));
  }

  private static AppConfig.Redis redis(boolean withCa) {
    Map<String, String> values = new HashMap<>(Map.of("AURALINK_REDIS_URL", "rediss://127.0.0.1:" + redisPort));
    if (withCa) {
      values.put("AURALINK_REDIS_CA_FILE", ca.caFile().toString());
    }
    return AppConfig.Redis.from(Settings.of(values));
  }
}
