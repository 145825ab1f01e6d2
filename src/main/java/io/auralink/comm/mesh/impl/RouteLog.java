package io.auralink.comm.mesh.impl;

import io.auralink.comm.platform.storage.StorageFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Chosen routes on their way to PostgreSQL, off the query path: gathered in memory and written in one batch per
 * flush. A batch PostgreSQL could not take because it is unavailable (down, refusing connections, overloaded) goes
 * back into the buffer and is written by a later flush once it returns, so an answer given during an outage still
 * gets its record and its outcome is accepted later. The buffer is bounded ({@code capacity}): when it is full the
 * oldest routes are dropped first (an outcome for a route that old is the least likely to come) and counted in
 * {@code auralink_mesh_routes_unrecorded_total{reason=buffer_full}}; a batch refused for another reason (a bug, not
 * an outage) would be refused again, so it is logged, counted ({@code reason=refused}) and dropped.
 */
final class RouteLog {

  private static final Logger LOG = LoggerFactory.getLogger(RouteLog.class);

  private final MeshStore store;
  private final int capacity;
  /** Oldest first. */
  private final ArrayDeque<MeshStore.ChosenRoute> pending = new ArrayDeque<>();
  private final Counter droppedFull;
  private final Counter droppedRefused;
  /** The last batch on its way (never failed: failures are kept or counted). */
  private Future<Void> writing = Future.succeededFuture();

  RouteLog(MeshStore store, int capacity, MeterRegistry metrics) {
    this.store = store;
    this.capacity = capacity;
    this.droppedFull = metrics.counter("auralink_mesh_routes_unrecorded_total", "reason", "buffer_full");
    this.droppedRefused = metrics.counter("auralink_mesh_routes_unrecorded_total", "reason", "refused");
  }

  void add(MeshStore.ChosenRoute route) {
    pending.addLast(route);
    trim();
  }

  /** The routes waiting for PostgreSQL, oldest first (for tests). */
  List<MeshStore.ChosenRoute> waiting() {
    return List.copyOf(pending);
  }

  /**
   * Writes what is waiting, after the batches already on their way, and completes when everything added so far is
   * written or, PostgreSQL being unavailable, put back to wait for the next flush: an outcome that flushes first
   * then finds its route even while a periodic flush is still writing it.
   */
  Future<Void> flush() {
    if (pending.isEmpty()) {
      return writing;
    }
    List<MeshStore.ChosenRoute> batch = new ArrayList<>(pending);
    pending.clear();
    writing = writing.transform(previous -> store.saveRoutes(batch).recover(e -> {
      if (StorageFailures.classify(e) instanceof ServiceException outage && outage.failureCode() == 503) {
        keep(batch);
        LOG.debug("chosen routes kept until PostgreSQL returns {}", kv("routes", pending.size()));
      } else {
        droppedRefused.increment(batch.size());
        LOG.warn("chosen routes not recorded {} {}", kv("routes", batch.size()), kv("error", String.valueOf(e.getMessage())));
      }
      return Future.succeededFuture();
    }));
    return writing;
  }

  /** Puts a batch that could not be written back in front of the routes chosen since, oldest first. */
  private void keep(List<MeshStore.ChosenRoute> batch) {
    for (int i = batch.size() - 1; i >= 0; i--) {
      pending.addFirst(batch.get(i));
    }
    trim();
  }

  private void trim() {
    int over = pending.size() - capacity;
    if (over <= 0) {
      return;
    }
    for (int i = 0; i < over; i++) {
      pending.removeFirst();
    }
    double before = droppedFull.count();
    droppedFull.increment(over);
    // One line per 10,000 dropped, not one per route.
    if ((long) (before / 10_000) != (long) (droppedFull.count() / 10_000) || before == 0) {
      LOG.warn("route log full: oldest chosen routes not recorded {}", kv("dropped", (long) droppedFull.count()));
    }
  }
}
