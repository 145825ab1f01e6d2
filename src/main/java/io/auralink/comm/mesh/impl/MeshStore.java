package io.auralink.comm.mesh.impl;

import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.NodeState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The mesh's SQL: what makes the graph survive a full-cluster restart, and the routes chosen. */
final class MeshStore {

  private final Pool pool;

  MeshStore(Pool pool) {
    this.pool = pool;
  }

  /** The stored node id of a device, if its owner registered it before. */
  Future<Optional<String>> nodeIdOf(String owner, String deviceId) {
    return pool.preparedQuery("SELECT node_id FROM mesh_nodes WHERE owner_aura_id = $1 AND device_id = $2")
      .execute(Tuple.of(owner, deviceId))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID(0).toString()));
  }

  /**
   * Stores what describes a node (insert, or update by node id) with its owner's standing (of two standings, the
   * one learned later stays); answers the node id that holds the device.
   */
  Future<String> save(NodeState n) {
    return save(pool, n);
  }

  /**
   * Registers a node unless it would be its owner's {@code maxNodes + 1}-th: a device new to its owner is refused
   * (empty) when they have {@code maxNodes} already, a known device is always updated. Registrations of one owner
   * are serialized by a transaction-scoped advisory lock, taken before counting (the count's statement sees every
   * registration committed before the lock was granted), so concurrent ones on any member cannot overrun it.
   */
  Future<Optional<String>> saveWithinQuota(NodeState n, int maxNodes) {
    return pool.withTransaction(conn -> conn.preparedQuery(
          "SELECT pg_advisory_xact_lock(hashtextextended('mesh_nodes:' || $1, 0))")
        .execute(Tuple.of(n.owner()))
        .compose(locked -> conn.preparedQuery("""
            SELECT count(*) AS nodes,
                   bool_or(device_id = $2) AS known
            FROM mesh_nodes WHERE owner_aura_id = $1""").execute(Tuple.of(n.owner(), n.deviceId())))
        .compose(rows -> {
          Row row = rows.iterator().next();
          boolean known = Boolean.TRUE.equals(row.getBoolean("known"));
          return !known && row.getLong("nodes") >= maxNodes ? Future.succeededFuture(Optional.<String>empty())
            : save(conn, n).map(Optional::of);
        }));
  }

  private Future<String> save(SqlClient client, NodeState n) {
    JsonArray caps = n.toJson().getJsonArray("capabilities");
    return client.preparedQuery("""
        INSERT INTO mesh_nodes (node_id, owner_aura_id, device_id, node_type, device_type, address, nat_type, region,
          latitude, longitude, capabilities, bandwidth_mbps, max_connections, registered_at, owner_active, owner_since)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        ON CONFLICT (owner_aura_id, device_id) DO UPDATE SET node_type = EXCLUDED.node_type,
          device_type = EXCLUDED.device_type, address = EXCLUDED.address, nat_type = EXCLUDED.nat_type,
          region = EXCLUDED.region, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
          capabilities = EXCLUDED.capabilities, bandwidth_mbps = EXCLUDED.bandwidth_mbps,
          max_connections = EXCLUDED.max_connections,
          owner_active = CASE WHEN EXCLUDED.owner_since > mesh_nodes.owner_since THEN EXCLUDED.owner_active
                              ELSE mesh_nodes.owner_active END,
          owner_since = GREATEST(EXCLUDED.owner_since, mesh_nodes.owner_since)
        RETURNING node_id""")
      .execute(Tuple.of(UUID.fromString(n.nodeId()), n.owner(), n.deviceId(), n.type().id(),
        n.deviceType(), n.address(), n.nat().id(), n.region(), coordinate(n.latitude()),
        coordinate(n.longitude()), caps.stream().map(String::valueOf).toArray(String[]::new), n.bandwidthMbps(),
        n.maxConnections(), OffsetDateTime.ofInstant(Instant.ofEpochMilli(n.registeredAt()), ZoneOffset.UTC),
        n.ownerActive(), n.ownerSince()))
      .map(rows -> rows.iterator().next().getUUID(0).toString());
  }

  /**
   * An owner's standing, learned at {@code since}, for all of their stored nodes (a standing learned later is
   * kept); answers the ids of all their nodes, for the cluster's copy.
   */
  Future<Set<String>> owner(String owner, boolean active, long since) {
    return pool.preparedQuery("""
        WITH changed AS (
          UPDATE mesh_nodes SET owner_active = $2, owner_since = $3 WHERE owner_aura_id = $1 AND owner_since < $3)
        SELECT node_id FROM mesh_nodes WHERE owner_aura_id = $1""")
      .execute(Tuple.of(owner, active, since))
      .map(rows -> {
        Set<String> ids = new HashSet<>();
        rows.forEach(row -> ids.add(row.getUUID(0).toString()));
        return ids;
      });
  }

  private static Double coordinate(double value) {
    return Double.isNaN(value) ? null : value;
  }

  Future<Void> trust(String nodeId, double trust, boolean suspended) {
    return pool.preparedQuery("UPDATE mesh_nodes SET trust_score = $2, suspended = $3 WHERE node_id = $1")
      .execute(Tuple.of(UUID.fromString(nodeId), trust, suspended)).mapEmpty();
  }

  /** Stores what nodes are learned to add themselves (a batch in one statement). */
  Future<Void> quality(List<NodeState> nodes) {
    if (nodes.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("UPDATE mesh_nodes SET quality = $2 WHERE node_id = $1")
      .executeBatch(nodes.stream().map(n -> Tuple.of(UUID.fromString(n.nodeId()), n.quality().toJson())).toList())
      .mapEmpty();
  }

  Future<Void> delete(String nodeId) {
    return pool.preparedQuery("DELETE FROM mesh_nodes WHERE node_id = $1").execute(Tuple.of(UUID.fromString(nodeId)))
      .mapEmpty();
  }

  /** Stores links as learned (a batch in one statement); links to unknown nodes are skipped. */
  Future<Void> saveLinks(List<LinkState> links) {
    if (links.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> batch = links.stream().map(l -> Tuple.of(UUID.fromString(l.a()), UUID.fromString(l.b()), l.rttMs(),
      l.jitterMs(), l.loss(), l.bandwidthMbps(), l.samples(), l.version())).toList();
    return pool.preparedQuery("""
        INSERT INTO mesh_links (a, b, rtt_ms, jitter_ms, loss, bandwidth_mbps, samples, version)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8
        WHERE EXISTS (SELECT 1 FROM mesh_nodes WHERE node_id = $1) AND EXISTS (SELECT 1 FROM mesh_nodes WHERE node_id = $2)
        ON CONFLICT (a, b) DO UPDATE SET rtt_ms = EXCLUDED.rtt_ms, jitter_ms = EXCLUDED.jitter_ms, loss = EXCLUDED.loss,
          bandwidth_mbps = EXCLUDED.bandwidth_mbps, samples = EXCLUDED.samples, version = EXCLUDED.version,
          updated_at = now()
        WHERE mesh_links.version < EXCLUDED.version""")
      .executeBatch(batch).mapEmpty();
  }

  /**
   * Every stored node (offline: liveness is not kept) and link, to restore the graph after a full restart or a lost
   * partition. A restored node's version is the time of the restore, above any count of changes a node reaches,
   * so that members whose graph still holds an older record take the restored one.
   */
  Future<List<NodeState>> loadNodes() {
    return pool.query("SELECT * FROM mesh_nodes").execute().map(rows -> {
      long version = System.currentTimeMillis();
      List<NodeState> nodes = new ArrayList<>();
      for (Row row : rows) {
        Double lat = row.getDouble("latitude");
        JsonObject json = new JsonObject()
          .put("node_id", row.getUUID("node_id").toString()).put("aura_id", row.getString("owner_aura_id"))
          .put("device_id", row.getString("device_id")).put("node_type", row.getString("node_type"))
          .put("device_type", row.getString("device_type")).put("address", row.getString("address"))
          .put("nat_type", row.getString("nat_type")).put("region", row.getString("region"))
          .put("latitude", lat).put("longitude", lat == null ? null : row.getDouble("longitude"))
          .put("capabilities", new JsonArray(List.of(row.getArrayOfStrings("capabilities"))))
          .put("bandwidth_mbps", row.getDouble("bandwidth_mbps")).put("max_connections", row.getInteger("max_connections"))
          .put("online", false).put("trust_score", row.getDouble("trust_score")).put("suspended", row.getBoolean("suspended"))
          .put("owner_active", row.getBoolean("owner_active")).put("owner_since", row.getLong("owner_since"))
          .put("registered_at", row.getOffsetDateTime("registered_at").toInstant().toEpochMilli())
          .put("version", version).put("changed_at", version)
          .put("quality", row.getJsonObject("quality"));
        nodes.add(NodeState.fromJson(json));
      }
      return nodes;
    });
  }

  Future<List<LinkState>> loadLinks() {
    return pool.query("SELECT * FROM mesh_links").execute().map(rows -> {
      List<LinkState> links = new ArrayList<>();
      for (Row row : rows) {
        String a = row.getUUID("a").toString();
        String b = row.getUUID("b").toString();
        links.add(new LinkState(a.compareTo(b) < 0 ? a : b, a.compareTo(b) < 0 ? b : a, row.getDouble("rtt_ms"),
          row.getDouble("jitter_ms"), row.getDouble("loss"), row.getDouble("bandwidth_mbps"), row.getLong("samples"),
          row.getLong("version"), System.currentTimeMillis()));
      }
      return links;
    });
  }

  // ---- routes -----------------------------------------------------------------------------------------------

  /** A chosen route, as written for analysis. */
  record ChosenRoute(UUID routeId, String source, String destination, String media, boolean aic, int tier,
                     List<String> path, JsonObject predicted, double score) {
  }

  /** Writes chosen routes in one batch. */
  Future<Void> saveRoutes(List<ChosenRoute> routes) {
    if (routes.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("""
        INSERT INTO mesh_routes (route_id, source_aura_id, destination_aura_id, media_type, require_aic, tier, path,
          predicted, score)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING""")
      .executeBatch(routes.stream().map(r -> Tuple.of(r.routeId(), r.source(), r.destination(), r.media(), r.aic(),
        (short) r.tier(), r.path().toArray(new String[0]), r.predicted(), r.score())).toList())
      .mapEmpty();
  }

  /** Records how a call on a route went; answers the route's path, or empty if no such route (or ended already). */
  Future<Optional<List<String>>> routeEnded(UUID routeId, JsonObject outcome) {
    return pool.preparedQuery("""
        UPDATE mesh_routes SET outcome = $2, ended_at = now() WHERE route_id = $1 AND ended_at IS NULL RETURNING path""")
      .execute(Tuple.of(routeId, outcome))
      .map(rows -> rows.size() == 0 ? Optional.empty()
        : Optional.of(List.of(rows.iterator().next().getArrayOfStrings("path"))));
  }
}
