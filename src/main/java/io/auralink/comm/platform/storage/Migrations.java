package io.auralink.comm.platform.storage;

import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * Applies the numbered SQL files of {@code schema/} (packaged as {@code classpath:schema}) with Flyway.
 * Flyway speaks JDBC, so it only ever runs on a worker thread or on the command line, never on an event loop.
 */
public final class Migrations {

  public static final String LOCATION = "classpath:schema";

  private Migrations() {
  }

  /** How many migrations a run applied, and the schema version it left. */
  public record Outcome(int applied, String version) {
  }

  /** Runs the migrations on a worker thread. */
  public static Future<Outcome> apply(Vertx vertx, AppConfig.Database config) {
    return vertx.executeBlocking(() -> applyBlocking(config), false);
  }

  /** Blocking form for the {@code migrate} command, which has no event loop to protect. */
  public static Outcome applyBlocking(AppConfig.Database config) {
    Flyway flyway = flyway(config);
    int applied = flyway.migrate().migrationsExecuted;
    MigrationInfo current = flyway.info().current();
    return new Outcome(applied, current == null ? "none" : current.getVersion().getVersion());
  }

  static Flyway flyway(AppConfig.Database config) {
    PgConnectOptions options = config.connectOptions();
    String jdbcUrl = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase()
      + "?" + config.jdbcTlsParameters()
      + "&connectTimeout=" + Math.max(1, config.connectTimeout().toSeconds());
    return Flyway.configure()
      .dataSource(jdbcUrl, options.getUser(), options.getPassword())
      .locations(LOCATION)
      .failOnMissingLocations(true)
      .validateMigrationNaming(true)
      .load();
  }
}
