package io.auralink.comm.platform.storage;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.testing.TestStores;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schema/ migrations against a real PostgreSQL. */
class MigrationsTest {

  @Test
  void running_the_migrations_twice_changes_nothing() throws SQLException {
    String url = TestStores.get().newDatabase("migrations");
    AppConfig.Database database = AppConfig.Database.from(Settings.of(Map.of(AppConfig.Database.URL, url)));

    Migrations.Outcome first = Migrations.applyBlocking(database);
    List<String> schemaAfterFirst = schema(url);
    Migrations.Outcome second = Migrations.applyBlocking(database);

    assertTrue(first.applied() > 0, "the first run applies every migration");
    assertEquals(0, second.applied(), "the second run applies none");
    assertEquals(first.version(), second.version());
    assertEquals(schemaAfterFirst, schema(url), "tables, columns, functions and history are unchanged");
  }

  /** Everything a migration could change: tables and columns, functions, and Flyway's own history. */
  private static List<String> schema(String url) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = TestStores.jdbc(url); Statement statement = connection.createStatement()) {
      collect(statement, "SELECT table_name || '.' || column_name || ':' || data_type FROM information_schema.columns"
        + " WHERE table_schema = 'public' ORDER BY 1", rows);
      collect(statement, "SELECT proname || '/' || md5(prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        + " WHERE n.nspname = 'public' ORDER BY 1", rows);
      collect(statement, "SELECT installed_rank || ' ' || version || ' ' || checksum || ' ' || success"
        + " FROM flyway_schema_history ORDER BY installed_rank", rows);
    }
    return rows;
  }

  private static void collect(Statement statement, String sql, List<String> rows) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
  }
}
