package io.auralink.comm.mesh.impl;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Chosen routes on their way to PostgreSQL, off the query path: gathered in memory and written in one batch per
 * flush. Analysis data, so under overload the buffer is bounded: beyond {@link #LIMIT} routes waiting, new ones are
 * counted and dropped rather than growing the heap.
 */
final class RouteLog {

  private static final Logger LOG = LoggerFactory.getLogger(RouteLog.class);
  static final int LIMIT = 50_000;

  private final MeshStore store;
  private List<MeshStore.ChosenRoute> pending = new ArrayList<>();
  private long dropped;
  /** The last batch on its way (never failed: failures are logged). */
  private Future<Void> writing = Future.succeededFuture();

  RouteLog(MeshStore store) {
    this.store = store;
  }

  void add(MeshStore.ChosenRoute route) {
    if (pending.size() < LIMIT) {
      pending.add(route);
    } else if (dropped++ % 10_000 == 0) {
      LOG.warn("route log full: chosen routes not recorded {}", kv("dropped", dropped));
    }
  }

  /**
   * Writes what is waiting, after the batches already on their way, and completes when everything added so far is
   * written: an outcome that flushes first then finds its route even while a periodic flush is still writing it. A
   * failed batch is logged and dropped (routes are analysis data).
   */
  Future<Void> flush() {
    if (pending.isEmpty()) {
      return writing;
    }
    List<MeshStore.ChosenRoute> batch = pending;
    pending = new ArrayList<>();
    writing = writing.transform(previous -> store.saveRoutes(batch).recover(e -> {
      LOG.warn("chosen routes not recorded {} {}", kv("routes", batch.size()), kv("error", String.valueOf(e.getMessage())));
      return Future.succeededFuture();
    }));
    return writing;
  }
}
