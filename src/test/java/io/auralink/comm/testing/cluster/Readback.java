package io.auralink.comm.testing.cluster;

import io.auralink.comm.testing.TestStores;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads back every acknowledged write through every given member: each AuraID and each report as that member
 * serves it, and each node from that member's own copy of the mesh graph ({@code ?member=this}), not from whichever
 * member a request happens to reach. Writes still missing are asked again until {@code within} passes (replication
 * and a merge take a moment); what is missing then is lost.
 */
public final class Readback {

  /** What was missing after the wait, per member and kind (empty when nothing was lost); and how long it took. */
  public record Result(Map<String, List<String>> missing, Duration took) {
    public long lost() {
      return missing.values().stream().mapToLong(List::size).sum();
    }
  }

  private Readback() {
  }

  public static Result everyWrite(MixedLoad load, List<Integer> members, Duration within) {
    long start = System.nanoTime();
    long deadline = start + within.toNanos();
    List<Check> pending = new ArrayList<>();
    for (int member : members) {
      load.auraIds().forEach(id -> pending.add(new Check(member, "auraid", "/internal/auraid/" + id, load.reader())));
      load.reports().forEach(id -> pending.add(new Check(member, "report", "/internal/trust/reports/" + id,
        load.moderator())));
      load.nodes().forEach(id -> pending.add(new Check(member, "node", "/internal/mesh/nodes/" + id + "?member=this",
        load.reader())));
    }
    ExecutorService readers = Executors.newFixedThreadPool(6);
    try {
      List<Check> missing = pending;
      while (true) {
        missing = missingOf(load, missing, readers);
        if (missing.isEmpty() || System.nanoTime() > deadline) {
          break;
        }
        ProcessCluster.pause(200);
      }
      Map<String, List<String>> byKind = new TreeMap<>();
      for (Check check : missing) {
        byKind.computeIfAbsent("member " + (check.member + 1) + " " + check.kind, k -> new ArrayList<>())
          .add(check.path);
      }
      return new Result(byKind, Duration.ofNanos(System.nanoTime() - start));
    } finally {
      readers.shutdownNow();
    }
  }

  private static List<Check> missingOf(MixedLoad load, List<Check> checks, ExecutorService readers) {
    ConcurrentLinkedQueue<Check> missing = new ConcurrentLinkedQueue<>();
    List<Future<?>> running = new ArrayList<>();
    int slices = 6;
    for (int s = 0; s < slices; s++) {
      int slice = s;
      running.add(readers.submit(() -> {
        for (int i = slice; i < checks.size(); i += slices) {
          Check check = checks.get(i);
          if (load.call(check.member, "GET", check.path, check.token, null).status() != 200) {
            missing.add(check);
          }
        }
      }));
    }
    for (Future<?> future : running) {
      try {
        future.get();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return new ArrayList<>(missing);
  }

  /** Route answers without their row in {@code mesh_routes}, read from PostgreSQL directly. */
  public static List<String> routesWithoutRecord(String databaseUrl, List<MixedLoad.RouteAnswer> routes) {
    List<String> ids = routes.stream().map(MixedLoad.RouteAnswer::routeId).toList();
    try (Connection connection = TestStores.jdbc(databaseUrl);
         PreparedStatement query = connection.prepareStatement(
           "SELECT id FROM unnest(?::text[]) AS answered(id) WHERE NOT EXISTS"
             + " (SELECT 1 FROM mesh_routes WHERE route_id::text = answered.id)")) {
      query.setArray(1, connection.createArrayOf("text", ids.toArray()));
      List<String> without = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          without.add(rows.getString(1));
        }
      }
      return without;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read mesh_routes", e);
    }
  }

  private record Check(int member, String kind, String path, String token) {
  }
}
