package io.auralink.comm.platform.crypto;

import io.auralink.comm.platform.config.AppConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The background job that keeps a domain's sensitive columns sealed under the current key: it seals rows still in
 * plaintext (written before sealing existed) and re-encrypts values sealed under an older key after a rotation.
 * Any member may run it; a lease in {@code sealing_leases}, renewed between batches, lets one at a time work on a
 * domain's columns (an efficiency: should two ever overlap, the row locks keep them on disjoint rows). It works in
 * batches, each one transaction that locks its rows ({@code FOR UPDATE SKIP LOCKED}, so the domain's own writes are
 * never lost: they wait for the batch, or the batch skips them), with the cryptography on a worker thread.
 * Progress: {@code auralink_data_sealing_pending_rows{table, column}} (rows still in plaintext or under an old key,
 * as this member last counted while holding the lease) and {@code auralink_data_sealed_rows_total{table, column,
 * reason}}.
 */
public final class Resealer {

  private static final Logger LOG = LoggerFactory.getLogger(Resealer.class);
  /** One gauge per column and registry, whichever instance last counted (gauges keep their first object). */
  private static final Map<MeterRegistry, Map<String, AtomicLong>> PENDING = new WeakHashMap<>();

  private final Vertx vertx;
  private final Pool pool;
  private final Sealer sealer;
  private final String leaseName;
  private final List<SealedColumn> columns;
  private final AppConfig.DataProtection config;
  private final MeterRegistry metrics;
  private final String holder = UUID.randomUUID().toString();
  private final Map<String, AtomicLong> pending;
  private final Map<String, Long> lastCount = new ConcurrentHashMap<>();
  private long timer = -1;
  private boolean running;

  public Resealer(Vertx vertx, Pool pool, Sealer sealer, String leaseName, List<SealedColumn> columns,
                  AppConfig.DataProtection config, MeterRegistry metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.sealer = sealer;
    this.leaseName = leaseName;
    this.columns = List.copyOf(columns);
    this.config = config;
    this.metrics = metrics;
    synchronized (PENDING) {
      this.pending = PENDING.computeIfAbsent(metrics, r -> new ConcurrentHashMap<>());
    }
    for (SealedColumn column : columns) {
      AtomicLong value = pending.computeIfAbsent(column.toString(), name -> new AtomicLong(-1));
      Gauge.builder("auralink_data_sealing_pending_rows", value, AtomicLong::get)
        .description("Rows of a sealed column still in plaintext or under an older key (-1: not counted yet)")
        .tags("table", column.table(), "column", column.plaintextColumn()).strongReference(true).register(metrics);
    }
  }

  /**
   * Runs a pass every {@code AURALINK_DATA_RESEAL_INTERVAL}, the first one interval after start (a node restarted
   * with a new key serves first, and re-encrypts once it is up).
   */
  public void start() {
    timer = vertx.setPeriodic(config.resealInterval().toMillis(), id -> pass());
  }

  /** Stops the timer and gives the lease back if this instance held it. */
  public Future<Void> stop() {
    vertx.cancelTimer(timer);
    return pool.preparedQuery("UPDATE sealing_leases SET lease_until = now() WHERE name = $1 AND holder = $2")
      .execute(Tuple.of(leaseName, holder)).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** One pass over every column while holding the lease; answers the rows rewritten (0 without the lease). */
  public Future<Long> pass() {
    if (running) {
      return Future.succeededFuture(0L);
    }
    running = true;
    return lease().compose(held -> {
      if (!held) {
        return Future.succeededFuture(0L);
      }
      Future<Long> chain = Future.succeededFuture(0L);
      for (SealedColumn column : columns) {
        chain = chain.compose(total -> drain(column).map(done -> total + done));
      }
      return chain;
    }).onComplete(done -> {
      running = false;
      if (done.failed()) {
        LOG.warn("data re-encryption pass incomplete {} {}", kv("lease", leaseName),
          kv("error", done.cause().getMessage()));
      } else if (done.result() > 0) {
        LOG.info("data re-encryption pass {} {} {}", kv("lease", leaseName), kv("rows", done.result()),
          kv("current_key", sealer.currentKeyId()));
      }
    });
  }

  /** Takes or renews the lease: free, lapsed, or already ours. */
  private Future<Boolean> lease() {
    long leaseMillis = 2 * config.resealInterval().toMillis() + 60_000;
    return pool.preparedQuery("""
        INSERT INTO sealing_leases (name, holder, lease_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
        ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
        WHERE sealing_leases.lease_until < now() OR sealing_leases.holder = EXCLUDED.holder
        RETURNING holder""")
      .execute(Tuple.of(leaseName, holder, leaseMillis))
      .map(rows -> rows.size() == 1);
  }

  /** Batches until the column has nothing left to seal or re-encrypt (or a batch could not finish every row). */
  private Future<Long> drain(SealedColumn column) {
    return drainPlaintext(column, 0L)
      .compose(sealed -> column.sealed() ? drainOldKeys(column, sealed) : Future.succeededFuture(sealed))
      .compose(done -> count(column, done).map(done));
  }

  private Future<Long> drainPlaintext(SealedColumn column, long soFar) {
    return pool.withTransaction(conn -> sealPlaintext(conn, column)).compose(batch -> {
      long total = soFar + batch.rewritten();
      return batch.complete() && batch.taken() == config.resealBatch()
        ? lease().compose(held -> held ? drainPlaintext(column, total) : Future.succeededFuture(total))
        : Future.succeededFuture(total);
    });
  }

  private Future<Long> drainOldKeys(SealedColumn column, long soFar) {
    return pool.withTransaction(conn -> reseal(conn, column)).compose(batch -> {
      long total = soFar + batch.rewritten();
      return batch.complete() && batch.taken() == config.resealBatch()
        ? lease().compose(held -> held ? drainOldKeys(column, total) : Future.succeededFuture(total))
        : Future.succeededFuture(total);
    });
  }

  private record Batch(int taken, int rewritten) {
    boolean complete() {
      return taken == rewritten;
    }
  }

  private String keySelect(SealedColumn column) {
    return column.keyColumns().stream().map(k -> "\"" + k + "\"::text").collect(Collectors.joining(", "));
  }

  private static String[] rowKey(Row row, int keys) {
    String[] key = new String[keys];
    for (int i = 0; i < keys; i++) {
      key[i] = row.getString(i + 1);
    }
    return key;
  }

  /** Seals (and digests) one batch of rows still in plaintext, and clears the plaintext. */
  private Future<Batch> sealPlaintext(SqlConnection conn, SealedColumn column) {
    int keys = column.keyColumns().size();
    String plain = "\"" + column.plaintextColumn() + "\"";
    return conn.preparedQuery("SELECT ctid::text, " + keySelect(column) + ", " + plain + " AS v FROM \""
        + column.table() + "\" WHERE " + plain + " IS NOT NULL LIMIT $1 FOR UPDATE SKIP LOCKED")
      .execute(Tuple.of(config.resealBatch()))
      .compose(rows -> {
        List<Row> taken = new ArrayList<>();
        rows.forEach(taken::add);
        return vertx.executeBlocking(() -> {
          List<Tuple> updates = new ArrayList<>();
          for (Row row : taken) {
            String value = row.getString("v");
            String[] key = rowKey(row, keys);
            Tuple update = Tuple.of(row.getString(0));
            if (column.sealed()) {
              update.addString(sealer.seal(column.field(), value, key));
            }
            if (column.lookupPurpose() != null) {
              update.addBuffer(Buffer.buffer(sealer.lookup(column.lookupPurpose(), value)));
            }
            updates.add(update);
          }
          return updates;
        }, false).compose(updates -> write(conn, column, updates, true).map(n -> new Batch(taken.size(), n)))
          .onSuccess(batch -> counter(column, "plaintext").increment(batch.rewritten()));
      });
  }

  /** Re-encrypts one batch of values sealed under an older key. */
  private Future<Batch> reseal(SqlConnection conn, SealedColumn column) {
    int keys = column.keyColumns().size();
    String sealedColumn = "\"" + column.sealedColumn() + "\"";
    return conn.preparedQuery("SELECT ctid::text, " + keySelect(column) + ", " + sealedColumn + " AS v FROM \""
        + column.table() + "\" WHERE " + sealedColumn + " IS NOT NULL AND split_part(" + sealedColumn
        + ", ':', 2) <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED")
      .execute(Tuple.of(sealer.currentKeyId(), config.resealBatch()))
      .compose(rows -> {
        List<Row> taken = new ArrayList<>();
        rows.forEach(taken::add);
        return vertx.executeBlocking(() -> {
          List<Tuple> updates = new ArrayList<>();
          for (Row row : taken) {
            try {
              updates.add(Tuple.of(row.getString(0), sealer.reseal(column.field(), row.getString("v"),
                rowKey(row, keys))));
            } catch (UnreadableValueException e) {
              // Left as it is (and counted as not done, which ends this pass): reads of it fail the same way.
              LOG.error("a sealed value cannot be re-encrypted {} {}", kv("column", column.toString()),
                kv("error", e.getMessage()));
            }
          }
          return updates;
        }, false).compose(updates -> write(conn, column, updates, false).map(n -> new Batch(taken.size(), n)))
          .onSuccess(batch -> counter(column, "rotation").increment(batch.rewritten()));
      });
  }

  private Future<Integer> write(SqlConnection conn, SealedColumn column, List<Tuple> updates, boolean fromPlaintext) {
    if (updates.isEmpty()) {
      return Future.succeededFuture(0);
    }
    String sql;
    if (!fromPlaintext) {
      sql = "UPDATE \"" + column.table() + "\" SET \"" + column.sealedColumn() + "\" = $2 WHERE ctid = $1::tid";
    } else {
      List<String> sets = new ArrayList<>(List.of("\"" + column.plaintextColumn() + "\" = NULL"));
      if (column.sealed()) {
        sets.add("\"" + column.sealedColumn() + "\" = $" + (sets.size() + 1));
      }
      if (column.lookupPurpose() != null) {
        sets.add("\"" + column.lookupColumn() + "\" = $" + (sets.size() + 1));
      }
      sql = "UPDATE \"" + column.table() + "\" SET " + String.join(", ", sets) + " WHERE ctid = $1::tid";
    }
    return conn.preparedQuery(sql).executeBatch(updates).map(rows -> {
      int n = 0;
      for (var r = rows; r != null; r = r.next()) {
        n += r.rowCount();
      }
      return n;
    });
  }

  /** Counts what is left after a pass; skipped when the last count was nothing and this pass found nothing. */
  private Future<Void> count(SealedColumn column, long rewritten) {
    Long last = lastCount.get(column.toString());
    if (last != null && last == 0 && rewritten == 0) {
      return Future.succeededFuture();
    }
    String plain = "\"" + column.plaintextColumn() + "\"";
    String oldKeys = column.sealed()
      ? " OR split_part(\"" + column.sealedColumn() + "\", ':', 2) <> $1" : " AND $1::text IS NOT NULL";
    return pool.preparedQuery("SELECT count(*) FILTER (WHERE " + plain + " IS NOT NULL" + oldKeys + ") AS n FROM \""
        + column.table() + "\"")
      .execute(Tuple.of(sealer.currentKeyId()))
      .map(rows -> rows.iterator().next().getLong("n"))
      .onSuccess(n -> {
        lastCount.put(column.toString(), n);
        pending.get(column.toString()).set(n);
      })
      .mapEmpty();
  }

  private Counter counter(SealedColumn column, String reason) {
    return metrics.counter("auralink_data_sealed_rows_total", "table", column.table(), "column",
      column.plaintextColumn(), "reason", reason);
  }

  @Override
  public String toString() {
    return "Resealer[" + leaseName + ", " + Arrays.toString(columns.toArray()) + "]";
  }
}
