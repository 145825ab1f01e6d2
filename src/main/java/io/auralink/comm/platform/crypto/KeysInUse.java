package io.auralink.comm.platform.crypto;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The start-up check that no sealed value names a key the configuration dropped: such a value could never be read
 * again, so the node refuses to start and names the key, where it is used, and what to do. Every column named
 * {@code *_sealed} is checked, whichever domain owns it.
 */
public final class KeysInUse {

  private KeysInUse() {
  }

  public static Future<Void> check(Pool pool, AppConfig.DataProtection config) {
    if (!config.configured()) {
      return Future.succeededFuture();
    }
    return pool.query("""
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND column_name LIKE '%\\_sealed' ORDER BY 1, 2""")
      .execute()
      .compose(columns -> {
        List<Future<String>> problems = new ArrayList<>();
        for (Row column : columns) {
          problems.add(missingKeys(pool, column.getString("table_name"), column.getString("column_name"),
            config.keys().keySet()));
        }
        return Future.all(problems).compose(all -> {
          List<String> found = all.<String>list().stream().filter(p -> p != null).toList();
          return found.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new ConfigException(
            AppConfig.DataProtection.KEYS, "no longer lists " + String.join("; ", found) + ". List the key again "
            + "until re-encryption under '" + config.currentKeyId() + "' is done "
            + "(auralink_data_sealing_pending_rows at 0), then remove it"));
        });
      });
  }

  private static Future<String> missingKeys(Pool pool, String table, String column, Set<String> configured) {
    // Identifiers come from the catalogue, not from input; quoted all the same.
    return pool.query("SELECT split_part(\"" + column + "\", ':', 2) AS kid, count(*) AS n FROM \"" + table
        + "\" WHERE \"" + column + "\" IS NOT NULL GROUP BY 1").execute()
      .map(rows -> {
        List<String> missing = new ArrayList<>();
        for (Row row : rows) {
          if (!configured.contains(row.getString("kid"))) {
            missing.add("key '" + row.getString("kid") + "', under which " + row.getLong("n") + " value(s) of "
              + table + "." + column + " are sealed");
          }
        }
        return missing.isEmpty() ? null : String.join("; ", missing);
      });
  }
}
