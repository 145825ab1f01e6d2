package io.auralink.comm.trust.impl;

import io.auralink.comm.platform.Page;
import io.auralink.comm.trust.TrustError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * All of the trust domain's SQL. Changes to one entity run in a transaction holding its row locked
 * ({@link #locked}), so that concurrent reports on one target are applied one after the other and none is lost.
 */
final class TrustStore {

  /** Advisory-lock namespace of a reporter's reports (the other key is the reporter's hash). */
  private static final String REPORTER_LOCK = "trust.reporter";

  private final Pool pool;
  private final double corroboratingWeight;

  TrustStore(Pool pool, double corroboratingWeight) {
    this.pool = pool;
    this.corroboratingWeight = corroboratingWeight;
  }

  /** An entity's suspension in force. */
  record Suspension(OffsetDateTime at, String reason, String by, boolean automatic) {

    JsonObject toJson() {
      return new JsonObject().put("at", at.toInstant().toString()).put("reason", reason).put("by", by)
        .put("automatic", automatic);
    }
  }

  /**
   * An entity's stored trust: its components, the score they give, its suspension and version; for a mesh node,
   * also what its owner and service record give ({@code node}, else null).
   */
  record Snapshot(Entity entity, TrustScore.Components components, TrustScore.Score score,
                  Optional<Suspension> suspension, long version, boolean recorded, NodeTrust.Base node) {

    boolean suspended() {
      return suspension.isPresent();
    }

    Snapshot withVersion(long stored) {
      return new Snapshot(entity, components, score, suspension, stored, true, node);
    }
  }

  // ---- entities ---------------------------------------------------------------------------------------------

  /**
   * Runs {@code change} in a transaction that holds the entity's row locked (creating it at the starting score if
   * it is new), with the entity as stored before the change.
   */
  <T> Future<T> locked(Entity entity, Function<Locked, Future<T>> change) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          INSERT INTO trust_entities (entity_type, entity_id) VALUES ($1, $2) ON CONFLICT DO NOTHING""")
        .execute(Tuple.of(entity.type(), entity.id()))
        .compose(created -> conn.preparedQuery(
            "SELECT * FROM trust_entities WHERE entity_type = $1 AND entity_id = $2 FOR UPDATE")
          .execute(Tuple.of(entity.type(), entity.id())))
        .compose(rows -> snapshot(conn, entity, rows.iterator().next()))
        .compose(before -> change.apply(new Locked(conn, before))));
  }

  /** An entity's trust as stored, or its starting trust if it was never recorded. */
  Future<Snapshot> find(Entity entity) {
    return pool.withConnection(conn -> conn.preparedQuery(
        "SELECT * FROM trust_entities WHERE entity_type = $1 AND entity_id = $2")
      .execute(Tuple.of(entity.type(), entity.id()))
      .compose(rows -> rows.size() > 0 ? snapshot(conn, entity, rows.iterator().next())
        : nodeBase(conn, entity).map(node -> fresh(entity, node))));
  }

  private Snapshot fresh(Entity entity, NodeTrust.Base node) {
    TrustScore.Components none = new TrustScore.Components(Set.of(), 0, List.of(), false,
      node == null ? TrustScore.BASE : node.total());
    return new Snapshot(entity, none, TrustScore.compute(none, corroboratingWeight), Optional.empty(), 0, false, node);
  }

  /**
   * For a mesh node, its base from its owner's trust (as the trust domain holds it; a node the mesh does not know,
   * or an owner never scored, counts as an owner at 50) and its service record; null for other entities.
   */
  private static Future<NodeTrust.Base> nodeBase(SqlConnection conn, Entity entity) {
    if (!Entity.MESH_NODE.equals(entity.type())) {
      return Future.succeededFuture(null);
    }
    return conn.preparedQuery("""
        SELECT o.score AS owner_score, r.* FROM (SELECT $1::text AS node_id) k
        LEFT JOIN trust_node_records r ON r.entity_type = 'mesh_node' AND r.node_id = k.node_id
        LEFT JOIN mesh_nodes n ON n.node_id = (CASE WHEN k.node_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
          THEN k.node_id::uuid END)
        LEFT JOIN trust_entities o ON o.entity_type = 'aura_id' AND o.entity_id = n.owner_aura_id""")
      .execute(Tuple.of(entity.id()))
      .map(rows -> {
        Row row = rows.iterator().next();
        Double owner = row.getDouble("owner_score");
        NodeTrust.Record record = row.getValue("node_id") == null ? NodeTrust.Record.NONE : new NodeTrust.Record(
          row.getDouble("online_seconds") / 3600, row.getDouble("offline_seconds") / 3600, row.getLong("beats_on_time"),
          row.getLong("beats_late"), row.getLong("relayed_good"), row.getLong("relayed_poor"),
          row.getDouble("vouched_trust") == null ? Double.NaN : row.getDouble("vouched_trust"));
        return NodeTrust.base(owner == null ? Double.NaN : owner, record);
      });
  }

  /** Reads the components besides the row (verifications, reports not dismissed) and computes the score. */
  private Future<Snapshot> snapshot(SqlConnection conn, Entity entity, Row row) {
    Tuple key = Tuple.of(entity.type(), entity.id());
    Future<RowSet<Row>> verifications = conn.preparedQuery(
      "SELECT method FROM trust_verifications WHERE entity_type = $1 AND entity_id = $2").execute(key);
    Future<RowSet<Row>> reports = conn.preparedQuery("""
        SELECT reporter_type || ':' || reporter_id AS reporter, weight, status FROM abuse_reports
        WHERE target_type = $1 AND target_id = $2 AND status <> 'dismissed'""").execute(key);
    Future<NodeTrust.Base> node = nodeBase(conn, entity);
    return Future.all(verifications, reports, node).map(loaded -> {
      Set<TrustScore.Method> methods = EnumSet.noneOf(TrustScore.Method.class);
      verifications.result().forEach(r -> TrustScore.Method.parse(r.getString("method")).ifPresent(methods::add));
      List<TrustScore.Report> counted = new ArrayList<>();
      reports.result().forEach(r -> counted.add(new TrustScore.Report(r.getString("reporter"), r.getDouble("weight"),
        TrustScore.ReportStatus.parse(r.getString("status")))));
      Optional<Suspension> suspension = Optional.ofNullable(row.getOffsetDateTime("suspended_at"))
        .map(at -> new Suspension(at, row.getString("suspension_reason"), row.getString("suspended_by"),
          row.getBoolean("suspension_automatic")));
      // A vouched trust is what the operator set: verifications and behaviour do not add to it (reports still cost).
      boolean vouched = node.result() != null && node.result().vouched();
      TrustScore.Components components = new TrustScore.Components(vouched ? Set.of() : methods,
        vouched ? 0 : row.getDouble("behaviour"), counted, suspension.isPresent(),
        node.result() == null ? TrustScore.BASE : node.result().total());
      return new Snapshot(entity, components, TrustScore.compute(components, corroboratingWeight), suspension,
        row.getLong("version"), true, node.result());
    });
  }

  /** The connection of a transaction that holds one entity locked, and what it can change. */
  final class Locked {

    final SqlConnection conn;
    final Snapshot before;

    private Locked(SqlConnection conn, Snapshot before) {
      this.conn = conn;
      this.before = before;
    }

    Entity entity() {
      return before.entity();
    }

    private Tuple key(Object... more) {
      Tuple tuple = Tuple.of(entity().type(), entity().id());
      for (Object value : more) {
        tuple.addValue(value);
      }
      return tuple;
    }

    /** The entity as it stands now, inside the transaction. */
    Future<Snapshot> reload() {
      return conn.preparedQuery("SELECT * FROM trust_entities WHERE entity_type = $1 AND entity_id = $2")
        .execute(key()).compose(rows -> snapshot(conn, entity(), rows.iterator().next()));
    }

    /** True if the method was not recorded before. */
    Future<Boolean> addVerification(TrustScore.Method method) {
      return conn.preparedQuery("""
          INSERT INTO trust_verifications (entity_type, entity_id, method) VALUES ($1, $2, $3)
          ON CONFLICT DO NOTHING""").execute(key(method.id())).map(rows -> rows.rowCount() > 0);
    }

    Future<Void> addBehaviour(double delta) {
      return conn.preparedQuery("""
          UPDATE trust_entities SET behaviour = GREATEST(-20, LEAST(20, behaviour + $3))
          WHERE entity_type = $1 AND entity_id = $2""").execute(key(delta)).mapEmpty();
    }

    /** Adds a mesh node's service since its last report to its record. */
    Future<Void> addNodeService(NodeService service) {
      return conn.preparedQuery("""
          INSERT INTO trust_node_records AS r (node_id, online_seconds, offline_seconds, beats_on_time, beats_late,
            relayed_good, relayed_poor)
          VALUES ($1, $2, $3, $4, $5, $6, $7)
          ON CONFLICT (entity_type, node_id) DO UPDATE SET
            online_seconds = r.online_seconds + EXCLUDED.online_seconds,
            offline_seconds = r.offline_seconds + EXCLUDED.offline_seconds,
            beats_on_time = r.beats_on_time + EXCLUDED.beats_on_time, beats_late = r.beats_late + EXCLUDED.beats_late,
            relayed_good = r.relayed_good + EXCLUDED.relayed_good, relayed_poor = r.relayed_poor + EXCLUDED.relayed_poor,
            updated_at = now()""")
        .execute(Tuple.of(entity().id(), service.onlineSeconds(), service.offlineSeconds(), service.beatsOnTime(),
          service.beatsLate(), service.relayedGood(), service.relayedPoor()))
        .mapEmpty();
    }

    /** Sets (or, with null, withdraws) the trust an operator vouched for this mesh node. */
    Future<Void> vouch(Double trust, String by) {
      return conn.preparedQuery("""
          INSERT INTO trust_node_records AS r (node_id, vouched_trust, vouched_by, vouched_at)
          VALUES ($1, $2, $3, CASE WHEN $2::double precision IS NULL THEN NULL ELSE now() END)
          ON CONFLICT (entity_type, node_id) DO UPDATE SET vouched_trust = EXCLUDED.vouched_trust,
            vouched_by = EXCLUDED.vouched_by, vouched_at = EXCLUDED.vouched_at, updated_at = now()""")
        .execute(Tuple.of(entity().id(), trust, trust == null ? null : by)).mapEmpty();
    }

    Future<Void> suspend(String reason, String by, boolean automatic) {
      return conn.preparedQuery("""
          UPDATE trust_entities SET suspended_at = now(), suspension_reason = $3, suspended_by = $4,
            suspension_automatic = $5
          WHERE entity_type = $1 AND entity_id = $2""").execute(key(reason, by, automatic)).mapEmpty();
    }

    Future<Void> unsuspend() {
      return conn.preparedQuery("""
          UPDATE trust_entities SET suspended_at = NULL, suspension_reason = NULL, suspended_by = NULL,
            suspension_automatic = false
          WHERE entity_type = $1 AND entity_id = $2""").execute(key()).mapEmpty();
    }

    /**
     * Serialises one reporter's filings until the transaction ends, so that reports one reporter files at the same
     * time on different targets are counted one after the other. Taken after the target's row lock, always in that
     * order, and nothing waits for a row while holding it, so two filings never wait on each other in a cycle.
     */
    Future<Void> lockReporter(Entity reporter) {
      return conn.preparedQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))) AS held")
        .execute(Tuple.of(REPORTER_LOCK, reporter.key())).mapEmpty();
    }

    /**
     * Empty if {@code reporter} filed fewer than {@code limit} reports in the last hour; otherwise how long until
     * one of them leaves the window.
     */
    Future<Optional<Duration>> reportLimitReached(Entity reporter, int limit) {
      return conn.preparedQuery("""
          SELECT ceil(extract(epoch FROM created_at + interval '1 hour' - now()))::bigint AS wait FROM abuse_reports
          WHERE reporter_type = $1 AND reporter_id = $2 AND created_at > now() - interval '1 hour'
          ORDER BY created_at DESC OFFSET $3 LIMIT 1""").execute(Tuple.of(reporter.type(), reporter.id(), limit - 1))
        .map(rows -> rows.size() == 0 ? Optional.empty()
          : Optional.of(Duration.ofSeconds(Math.max(1, rows.iterator().next().getLong("wait")))));
    }

    /**
     * Raises every pending report on this entity to the top of the review queue, marked escalated; answers how
     * many changed.
     */
    Future<Integer> escalate() {
      return conn.preparedQuery("""
          UPDATE abuse_reports SET review_priority = 1, escalated = true
          WHERE target_type = $1 AND target_id = $2 AND status = 'pending'
            AND (review_priority IS DISTINCT FROM 1 OR NOT escalated)""").execute(key()).map(RowSet::rowCount);
    }

    /** A report as it stands now, inside the transaction. */
    Future<JsonObject> reread(UUID reportId) {
      return conn.preparedQuery("SELECT * FROM abuse_reports WHERE report_id = $1").execute(Tuple.of(reportId))
        .map(rows -> report(rows.iterator().next()));
    }

    /** The id of a report by {@code reporter} on this entity in the last 24 hours, if any. */
    Future<Optional<String>> recentReportBy(Entity reporter) {
      return conn.preparedQuery("""
          SELECT report_id FROM abuse_reports
          WHERE reporter_type = $3 AND reporter_id = $4 AND target_type = $1 AND target_id = $2
            AND created_at > now() - interval '24 hours'
          LIMIT 1""").execute(key(reporter.type(), reporter.id()))
        .map(rows -> rows.size() == 0 ? Optional.empty()
          : Optional.of(rows.iterator().next().getUUID("report_id").toString()));
    }

    Future<JsonObject> insertReport(NewReport r) {
      return conn.preparedQuery("""
          INSERT INTO abuse_reports (report_id, target_type, target_id, reporter_type, reporter_id, category, severity,
            description, evidence, call_id, weight, review_priority)
          VALUES ($3, $1, $2, $4, $5, $6, $7, $8, $9, $10, $11, $12)
          RETURNING *""")
        .execute(key(UUID.randomUUID(), r.reporter().type(), r.reporter().id(), r.category(), r.severity(),
          r.description(), r.evidence(), r.callId(), r.weight(), r.reviewPriority()))
        .map(rows -> report(rows.iterator().next()));
    }

    /**
     * Stores the score and level of {@code after}, bumps the version, and records the change in the history if the
     * score or level moved. Answers the stored version.
     */
    Future<Long> save(Snapshot after, String reason) {
      TrustScore.Score old = before.score();
      TrustScore.Score now = after.score();
      Future<Void> history = old.total() == now.total() && old.level() == now.level() ? Future.succeededFuture()
        : conn.preparedQuery("""
            INSERT INTO trust_history (entity_type, entity_id, old_score, new_score, old_level, new_level, reason)
            VALUES ($1, $2, $3, $4, $5, $6, $7)""")
          .execute(key(old.total(), now.total(), old.level().id(), now.level().id(), reason)).mapEmpty();
      return history.compose(v -> conn.preparedQuery("""
            UPDATE trust_entities SET score = $3, level = $4, version = version + 1
            WHERE entity_type = $1 AND entity_id = $2 RETURNING version""")
          .execute(key(now.total(), now.level().id())))
        .map(rows -> rows.iterator().next().getLong("version"));
    }

    Future<Void> log(String action, String reason, String actor, boolean automatic, String reportId) {
      return TrustStore.log(conn, entity(), action, reason, actor, automatic, reportId);
    }
  }

  /** What a mesh node did since the mesh's last report of it. */
  record NodeService(double onlineSeconds, double offlineSeconds, long beatsOnTime, long beatsLate, long relayedGood,
                     long relayedPoor) {
  }

  /** A mesh node's type, if the mesh knows the node. */
  Future<Optional<String>> meshNodeType(String nodeId) {
    Optional<UUID> id = uuid(nodeId);
    if (id.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("SELECT node_type FROM mesh_nodes WHERE node_id = $1").execute(Tuple.of(id.get()))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  // ---- reports ----------------------------------------------------------------------------------------------

  record NewReport(Entity reporter, String category, String severity, String description, JsonObject evidence,
                   String callId, double weight, Integer reviewPriority) {
  }

  Future<Optional<JsonObject>> findReport(UUID reportId) {
    return pool.preparedQuery("SELECT * FROM abuse_reports WHERE report_id = $1").execute(Tuple.of(reportId))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(report(rows.iterator().next())));
  }

  /** Locks a report (inside a transaction that already locks its target). */
  static Future<Optional<JsonObject>> lockReport(SqlClient conn, UUID reportId) {
    return conn.preparedQuery("SELECT * FROM abuse_reports WHERE report_id = $1 FOR UPDATE").execute(Tuple.of(reportId))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(report(rows.iterator().next())));
  }

  /** Claims a pending report nobody holds; empty if it was not (resolved, or claimed already). */
  Future<Optional<JsonObject>> claim(UUID reportId, String moderator) {
    return pool.preparedQuery("""
        UPDATE abuse_reports SET claimed_by = $2, claimed_at = now()
        WHERE report_id = $1 AND status = 'pending' AND claimed_by IS NULL
        RETURNING *""").execute(Tuple.of(reportId, moderator))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(report(rows.iterator().next())));
  }

  static Future<JsonObject> resolve(SqlClient conn, UUID reportId, TrustScore.ReportStatus status, String by,
                                    String note) {
    return conn.preparedQuery("""
        UPDATE abuse_reports SET status = $2, resolved_by = $3, resolution_note = $4, resolved_at = now(),
          claimed_by = COALESCE(claimed_by, $3), claimed_at = COALESCE(claimed_at, now())
        WHERE report_id = $1 RETURNING *""").execute(Tuple.of(reportId, status.id(), by, note))
      .map(rows -> report(rows.iterator().next()));
  }

  /** Pending high and critical reports: priority 1 (critical) before 2 (high), oldest first. */
  Future<List<JsonObject>> queue(int limit) {
    return pool.preparedQuery("""
        SELECT * FROM abuse_reports WHERE status = 'pending' AND review_priority IS NOT NULL
        ORDER BY review_priority, created_at, report_id LIMIT $1""").execute(Tuple.of(limit))
      .map(TrustStore::reports);
  }

  private static List<JsonObject> reports(RowSet<Row> rows) {
    List<JsonObject> list = new ArrayList<>();
    rows.forEach(row -> list.add(report(row)));
    return list;
  }

  private static JsonObject report(Row row) {
    return new JsonObject()
      .put("report_id", row.getUUID("report_id").toString())
      .put("reporter", new JsonObject().put("entity_type", row.getString("reporter_type"))
        .put("entity_id", row.getString("reporter_id")))
      .put("reported_entity", new JsonObject().put("entity_type", row.getString("target_type"))
        .put("entity_id", row.getString("target_id")))
      .put("category", row.getString("category"))
      .put("severity", row.getString("severity"))
      .put("description", row.getString("description"))
      .put("evidence", row.getJsonObject("evidence"))
      .put("call_id", row.getString("call_id"))
      .put("weight", row.getDouble("weight"))
      .put("status", row.getString("status"))
      .put("review_priority", row.getShort("review_priority"))
      .put("escalated", row.getBoolean("escalated"))
      .put("claimed_by", row.getString("claimed_by"))
      .put("claimed_at", instant(row.getOffsetDateTime("claimed_at")))
      .put("resolved_by", row.getString("resolved_by"))
      .put("resolution_note", row.getString("resolution_note"))
      .put("resolved_at", instant(row.getOffsetDateTime("resolved_at")))
      .put("reported_at", instant(row.getOffsetDateTime("created_at")));
  }

  // ---- history and moderation log ---------------------------------------------------------------------------

  /** Appends to the moderation log (inside a transaction, or on its own). */
  static Future<Void> log(SqlClient client, Entity entity, String action, String reason, String actor,
                          boolean automatic, String reportId) {
    return client.preparedQuery("""
        INSERT INTO moderation_log (entity_type, entity_id, action, reason, actor, automatic, report_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7)""")
      .execute(Tuple.of(entity.type(), entity.id(), action, reason, actor, automatic,
        reportId == null ? null : UUID.fromString(reportId)))
      .mapEmpty();
  }

  Future<Void> log(Entity entity, String action, String reason, String actor) {
    return log(pool, entity, action, reason, actor, false, null);
  }

  /** The latest {@code limit} score changes, oldest first. */
  Future<JsonArray> history(Entity entity, int limit) {
    return pool.preparedQuery("""
        SELECT * FROM (SELECT * FROM trust_history WHERE entity_type = $1 AND entity_id = $2 ORDER BY id DESC LIMIT $3) h
        ORDER BY id""").execute(Tuple.of(entity.type(), entity.id(), limit))
      .map(rows -> {
        JsonArray history = new JsonArray();
        rows.forEach(row -> history.add(new JsonObject()
          .put("old_score", row.getDouble("old_score")).put("new_score", row.getDouble("new_score"))
          .put("old_level", row.getString("old_level")).put("new_level", row.getString("new_level"))
          .put("reason", row.getString("reason")).put("at", instant(row.getOffsetDateTime("at")))));
        return history;
      });
  }

  /** One page of an entity's moderation log, oldest first: {@code {entries, next_cursor}} (the cursor is a log id). */
  Future<JsonObject> moderationLog(Entity entity, Page page) {
    long after;
    try {
      after = page.cursor() == null ? 0 : Long.parseLong(page.cursor());
    } catch (NumberFormatException e) {
      return Future.failedFuture(Page.invalidCursor(TrustError.VALIDATION_FAILED));
    }
    // One row beyond the page says whether another page follows.
    return pool.preparedQuery("""
        SELECT * FROM moderation_log WHERE entity_type = $1 AND entity_id = $2 AND id > $3 ORDER BY id LIMIT $4""")
      .execute(Tuple.of(entity.type(), entity.id(), after, page.limit() + 1))
      .map(rows -> {
        JsonArray entries = new JsonArray();
        long last = after;
        boolean more = false;
        for (Row row : rows) {
          if (entries.size() == page.limit()) {
            more = true;
            break;
          }
          last = row.getLong("id");
          entries.add(new JsonObject()
            .put("action", row.getString("action")).put("reason", row.getString("reason"))
            .put("actor", row.getString("actor")).put("automatic", row.getBoolean("automatic"))
            .put("report_id", row.getUUID("report_id") == null ? null : row.getUUID("report_id").toString())
            .put("at", instant(row.getOffsetDateTime("at"))));
        }
        return new JsonObject().put("entries", entries).put("next_cursor", more ? String.valueOf(last) : null);
      });
  }

  // ---- who reports, on what -------------------------------------------------------------------------------

  /**
   * The canonical id of a registered mesh node ({@code mesh_nodes}, written by the mesh domain before it answers a
   * registration), or empty if there is none.
   */
  Future<Optional<String>> meshNode(String nodeId) {
    Optional<UUID> id = uuid(nodeId);
    if (id.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("SELECT node_id FROM mesh_nodes WHERE node_id = $1").execute(Tuple.of(id.get()))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getUUID(0).toString()));
  }

  Future<Boolean> serverKnown(String domain) {
    return pool.preparedQuery("SELECT 1 FROM federated_servers WHERE domain = $1").execute(Tuple.of(domain))
      .map(rows -> rows.size() > 0);
  }

  /**
   * What a reporter's weight depends on: the state and age of its registration (the AuraID registry's
   * {@code aura_ids}, the mesh's {@code mesh_nodes}, the federation registry; one database) and its trust. Empty if
   * the reporter is not registered. The entity answered carries the canonical id.
   */
  Future<Optional<Reporting>> reporter(Entity reporter) {
    Future<Optional<Registration>> registration = switch (reporter.type()) {
      case Entity.AURA_ID -> pool.preparedQuery("""
          SELECT aura_id AS id, status = 'inactive' AS deactivated, status = 'suspended' AS suspended,
            extract(epoch FROM now() - created_at)::bigint AS age FROM aura_ids WHERE aura_id = $1""")
        .execute(Tuple.of(reporter.id())).map(TrustStore::registration);
      case Entity.MESH_NODE -> uuid(reporter.id()).map(id -> pool.preparedQuery("""
          SELECT node_id::text AS id, false AS deactivated, suspended,
            extract(epoch FROM now() - registered_at)::bigint AS age FROM mesh_nodes WHERE node_id = $1""")
        .execute(Tuple.of(id)).map(TrustStore::registration))
        .orElseGet(() -> Future.succeededFuture(Optional.empty()));
      default -> pool.preparedQuery("""
          SELECT domain AS id, false AS deactivated, state = 'blocked' AS suspended,
            extract(epoch FROM now() - created_at)::bigint AS age FROM federated_servers WHERE domain = $1""")
        .execute(Tuple.of(reporter.id())).map(TrustStore::registration);
    };
    return registration.compose(found -> found.isEmpty() ? Future.succeededFuture(Optional.<Reporting>empty())
      : find(new Entity(reporter.type(), found.get().id())).map(trust -> {
        Registration r = found.get();
        ReporterWeight.State state = r.deactivated() ? ReporterWeight.State.DEACTIVATED
          : r.suspended() || trust.score().level() == TrustScore.Level.SUSPENDED ? ReporterWeight.State.SUSPENDED
          : ReporterWeight.State.ACTIVE;
        return Optional.of(new Reporting(trust.entity(), new ReporterWeight.Reporter(state, trust.score().total(),
          !trust.components().verifications().isEmpty(), Duration.ofSeconds(Math.max(0, r.ageSeconds())))));
      }));
  }

  /** A registered reporter, by its canonical id, and what its weight depends on. */
  record Reporting(Entity entity, ReporterWeight.Reporter standing) {
  }

  private record Registration(String id, boolean deactivated, boolean suspended, long ageSeconds) {
  }

  private static Optional<Registration> registration(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    return Optional.of(new Registration(row.getString("id"), row.getBoolean("deactivated"), row.getBoolean("suspended"),
      row.getLong("age")));
  }

  /** Mesh node ids are UUIDs in their canonical (lower-case, hyphenated) form. */
  private static Optional<UUID> uuid(String id) {
    try {
      UUID parsed = UUID.fromString(id);
      return parsed.toString().equalsIgnoreCase(id) ? Optional.of(parsed) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  // ---- identity sync ----------------------------------------------------------------------------------------

  /** AuraIDs whose latest trust the identity domain has not acknowledged yet. */
  Future<List<Entity>> unsyncedAuraIds(int limit) {
    return pool.preparedQuery("""
        SELECT entity_id FROM trust_entities WHERE entity_type = 'aura_id' AND synced_version < version
        ORDER BY updated_at LIMIT $1""").execute(Tuple.of(limit))
      .map(rows -> {
        List<Entity> due = new ArrayList<>();
        rows.forEach(row -> due.add(new Entity(Entity.AURA_ID, row.getString("entity_id"))));
        return due;
      });
  }

  Future<Void> synced(Entity entity, long version) {
    return pool.preparedQuery("""
        UPDATE trust_entities SET synced_version = GREATEST(synced_version, $3)
        WHERE entity_type = $1 AND entity_id = $2""").execute(Tuple.of(entity.type(), entity.id(), version))
      .mapEmpty();
  }

  // ---- federated servers ------------------------------------------------------------------------------------

  private static final String SERVER = """
    SELECT f.*, coalesce(t.score, 50) AS trust_score, coalesce(t.level, 'established') AS trust_level,
           t.suspended_at IS NOT NULL AS suspended
    FROM federated_servers f
    LEFT JOIN trust_entities t ON t.entity_type = 'federated_server' AND t.entity_id = f.domain""";

  /** One page of the registry by domain: {@code {servers, next_cursor}} (the cursor is the last domain shown). */
  Future<JsonObject> servers(Page page) {
    return pool.preparedQuery(SERVER + " WHERE $1::text IS NULL OR f.domain > $1 ORDER BY f.domain LIMIT $2")
      .execute(Tuple.of(page.cursor(), page.limit() + 1)).map(rows -> {
        JsonArray servers = new JsonArray();
        boolean more = false;
        for (Row row : rows) {
          if (servers.size() == page.limit()) {
            more = true;
            break;
          }
          servers.add(server(row));
        }
        return new JsonObject().put("servers", servers).put("next_cursor",
          more ? servers.getJsonObject(servers.size() - 1).getString("domain") : null);
      });
  }

  Future<Optional<JsonObject>> server(String domain) {
    return pool.preparedQuery(SERVER + " WHERE f.domain = $1").execute(Tuple.of(domain))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(server(rows.iterator().next())));
  }

  /** Adds a server (allowed) or changes its limit; answers it. */
  Future<JsonObject> putServer(String domain, int requestsPerMinute, String by) {
    return pool.preparedQuery("""
        INSERT INTO federated_servers (domain, requests_per_minute, changed_by) VALUES ($1, $2, $3)
        ON CONFLICT (domain) DO UPDATE SET requests_per_minute = EXCLUDED.requests_per_minute,
          changed_by = EXCLUDED.changed_by""").execute(Tuple.of(domain, requestsPerMinute, by))
      .compose(v -> server(domain)).map(Optional::orElseThrow);
  }

  /** Records a server, allowed with the given limit, unless it is known already. */
  Future<Void> addServerIfAbsent(String domain, int requestsPerMinute, String by) {
    return pool.preparedQuery("""
        INSERT INTO federated_servers (domain, requests_per_minute, changed_by) VALUES ($1, $2, $3)
        ON CONFLICT DO NOTHING""")
      .execute(Tuple.of(domain, requestsPerMinute, by)).mapEmpty();
  }

  /** Blocks ({@code reason} given) or allows ({@code reason} null) a known server; empty if unknown. */
  Future<Optional<JsonObject>> setServerState(String domain, String reason, String by) {
    return pool.preparedQuery("""
        UPDATE federated_servers SET state = CASE WHEN $2::text IS NULL THEN 'allowed' ELSE 'blocked' END,
          blocked_reason = $2, changed_by = $3
        WHERE domain = $1""").execute(Tuple.of(domain, reason, by))
      .compose(rows -> rows.rowCount() == 0 ? Future.succeededFuture(Optional.empty()) : server(domain));
  }

  /** Notes that the server was seen, at most once a minute per server to spare writes. */
  Future<Void> seen(String domain) {
    return pool.preparedQuery("""
        UPDATE federated_servers SET last_seen_at = now()
        WHERE domain = $1 AND (last_seen_at IS NULL OR last_seen_at < now() - interval '1 minute')""")
      .execute(Tuple.of(domain)).mapEmpty();
  }

  private static JsonObject server(Row row) {
    return new JsonObject()
      .put("domain", row.getString("domain"))
      .put("state", row.getString("state"))
      .put("blocked_reason", row.getString("blocked_reason"))
      .put("requests_per_minute", row.getInteger("requests_per_minute"))
      .put("trust_score", row.getDouble("trust_score"))
      .put("trust_level", row.getString("trust_level"))
      .put("suspended", row.getBoolean("suspended"))
      .put("changed_by", row.getString("changed_by"))
      .put("last_seen_at", instant(row.getOffsetDateTime("last_seen_at")))
      .put("created_at", instant(row.getOffsetDateTime("created_at")));
  }

  private static String instant(OffsetDateTime at) {
    return at == null ? null : at.toInstant().toString();
  }
}
