package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.IdentityError;
import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.platform.Page;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** All of the registry's SQL. Uniqueness and formats are enforced by the schema; this class maps its verdicts. */
final class IdentityStore {

  private static final String PROFILE = """
    SELECT a.*, m.matrix_user_id, m.state AS matrix_state
    FROM aura_ids a JOIN matrix_mappings m USING (aura_id)""";

  private final Pool pool;

  IdentityStore(Pool pool) {
    this.pool = pool;
  }

  /** What registration stores. */
  record NewAuraId(String username, String userId, String displayName, String avatarUrl, String privacyLevel,
                   String matrixUserId, String matrixState) {
  }

  Future<Profile> insert(NewAuraId a) {
    String auraId = Usernames.auraId(a.username());
    return pool.withTransaction(conn -> conn.preparedQuery("""
          INSERT INTO aura_ids (aura_id, username, user_id, display_name, avatar_url, privacy_level)
          VALUES ($1, $2, $3, $4, $5, $6)""")
        .execute(Tuple.of(auraId, a.username(), a.userId(), a.displayName(), a.avatarUrl(), a.privacyLevel()))
        .compose(inserted -> conn.preparedQuery("""
            INSERT INTO matrix_mappings (aura_id, matrix_user_id, state, next_attempt_at)
            VALUES ($1, $2, $3, CASE WHEN $3 = 'pending' THEN now() END)""")
          .execute(Tuple.of(auraId, a.matrixUserId(), a.matrixState())))
        .compose(mapped -> findOn(conn, auraId)))
      .map(Optional::orElseThrow)
      .recover(e -> Future.failedFuture(uniqueViolation(e, a)));
  }

  private static Throwable uniqueViolation(Throwable e, NewAuraId a) {
    if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
      if ("aura_ids_one_per_account".equals(pg.getConstraint())) {
        return IdentityError.ACCOUNT_HAS_AURAID.exception("this account already holds an AuraID",
          ErrorCode.field("user_id"));
      }
      return IdentityError.AURAID_TAKEN.exception("'" + a.username() + "' is taken",
        ErrorCode.field("username"));
    }
    return e;
  }

  Future<Boolean> usernameExists(String username) {
    return pool.preparedQuery("SELECT 1 FROM aura_ids WHERE username = $1").execute(Tuple.of(username))
      .map(rows -> rows.size() > 0);
  }

  Future<Optional<Profile>> find(String auraId) {
    return pool.withConnection(conn -> findOn(conn, auraId));
  }

  private static Future<Optional<Profile>> findOn(SqlConnection conn, String auraId) {
    return conn.preparedQuery(PROFILE + " WHERE a.aura_id = $1").execute(Tuple.of(auraId)).map(IdentityStore::first);
  }

  Future<Map<String, Profile>> findAll(List<String> auraIds) {
    return pool.preparedQuery(PROFILE + " WHERE a.aura_id = ANY($1)")
      .execute(Tuple.of(auraIds.toArray(new String[0])))
      .map(rows -> {
        Map<String, Profile> found = new HashMap<>();
        rows.forEach(row -> found.put(row.getString("aura_id"), Profile.from(row)));
        return found;
      });
  }

  /**
   * How each target relates to the people who matter for its visibility: friends (accepted both ways) and those
   * it has blocked. Keys: target, then the other AuraID.
   */
  Future<Map<String, Map<String, Privacy.Relation>>> relationsOf(List<String> targets) {
    return pool.preparedQuery("""
        SELECT t.owner_aura_id AS target, t.contact_aura_id AS other,
               CASE WHEN t.state = 'blocked' THEN 'blocked' ELSE 'friend' END AS relation
        FROM contacts t
        WHERE t.owner_aura_id = ANY($1)
          AND (t.state = 'blocked'
               OR (t.state = 'accepted' AND EXISTS (SELECT 1 FROM contacts b WHERE b.owner_aura_id = t.contact_aura_id
                                                     AND b.contact_aura_id = t.owner_aura_id AND b.state = 'accepted')))""")
      .execute(Tuple.of(targets.toArray(new String[0])))
      .map(rows -> {
        Map<String, Map<String, Privacy.Relation>> relations = new HashMap<>();
        targets.forEach(t -> relations.put(t, new HashMap<>()));
        rows.forEach(row -> relations.get(row.getString("target"))
          .put(row.getString("other"), Privacy.Relation.parse(row.getString("relation"))));
        return relations;
      });
  }

  /** Changes the given fields of an active AuraID; empty if there is no active AuraID by that id. */
  Future<Optional<Profile>> update(String auraId, Optional<String> displayName, Optional<Optional<String>> avatarUrl,
                                   Optional<String> privacyLevel) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          UPDATE aura_ids SET
            display_name = COALESCE($2, display_name),
            avatar_url = CASE WHEN $3 THEN $4 ELSE avatar_url END,
            privacy_level = COALESCE($5, privacy_level)
          WHERE aura_id = $1 AND status = 'active'""")
        .execute(Tuple.of(auraId, displayName.orElse(null), avatarUrl.isPresent(),
          avatarUrl.flatMap(v -> v).orElse(null), privacyLevel.orElse(null)))
        .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture(Optional.<Profile>empty())
          : conn.preparedQuery("UPDATE matrix_mappings SET state = 'pending', next_attempt_at = now() "
              + "WHERE aura_id = $1 AND state = 'provisioned' AND $2")
            // A new display name is pushed to the homeserver by the provisioner.
            .execute(Tuple.of(auraId, displayName.isPresent()))
            .compose(requeued -> findOn(conn, auraId))));
  }

  /**
   * Moves an AuraID from one status to another; empty if it was not in {@code from}. One that is suspended by the
   * trust domain comes back {@code suspended}, not {@code active}.
   */
  Future<Optional<Profile>> changeStatus(String auraId, String from, String to) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          UPDATE aura_ids SET status = CASE WHEN $3 = 'active' AND suspended_at IS NOT NULL THEN 'suspended' ELSE $3 END
          WHERE aura_id = $1 AND status = $2""")
        .execute(Tuple.of(auraId, from, to))
        .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture(Optional.<Profile>empty())
          : findOn(conn, auraId)));
  }

  /**
   * Stores the trust domain's view of an AuraID if {@code version} is newer than the stored one: level, verified,
   * and the suspension, which moves an active AuraID to {@code suspended} and back. True if anything was stored.
   */
  Future<Boolean> applyTrust(String auraId, long version, String level, boolean verified, JsonObject suspension) {
    boolean suspended = suspension != null;
    return pool.preparedQuery("""
        UPDATE aura_ids SET trust_version = $2, trust_level = $3, verified = $4,
          suspended_at = $5, suspension_reason = $6, suspended_by = $7,
          status = CASE WHEN $8 AND status = 'active' THEN 'suspended'
                        WHEN NOT $8 AND status = 'suspended' THEN 'active' ELSE status END
        WHERE aura_id = $1 AND trust_version < $2""")
      .execute(Tuple.of(auraId, version, level, verified,
        suspended ? OffsetDateTime.parse(suspension.getString("at")) : null,
        suspended ? suspension.getString("reason") : null,
        suspended ? suspension.getString("by") : null,
        suspended))
      .map(rows -> rows.rowCount() > 0);
  }

  // ---- contacts -------------------------------------------------------------------------------------------

  /** A contact edge's state, or null. */
  record Edges(String outgoing, String incoming) {
  }

  /** Runs {@code change} in a transaction holding both edges between {@code a} and {@code b} locked. */
  <T> Future<T> withEdges(String a, String b, java.util.function.BiFunction<SqlConnection, Edges, Future<T>> change) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          SELECT owner_aura_id, state FROM contacts
          WHERE (owner_aura_id = $1 AND contact_aura_id = $2) OR (owner_aura_id = $2 AND contact_aura_id = $1)
          ORDER BY owner_aura_id FOR UPDATE""")
        .execute(Tuple.of(a, b))
        .compose(rows -> {
          String outgoing = null;
          String incoming = null;
          for (Row row : rows) {
            if (row.getString("owner_aura_id").equals(a)) {
              outgoing = row.getString("state");
            } else {
              incoming = row.getString("state");
            }
          }
          return change.apply(conn, new Edges(outgoing, incoming));
        }));
  }

  static Future<Void> setEdge(SqlConnection conn, String owner, String contact, String state) {
    return conn.preparedQuery("""
        INSERT INTO contacts (owner_aura_id, contact_aura_id, state) VALUES ($1, $2, $3)
        ON CONFLICT (owner_aura_id, contact_aura_id) DO UPDATE SET state = EXCLUDED.state""")
      .execute(Tuple.of(owner, contact, state)).mapEmpty();
  }

  static Future<Void> deleteEdge(SqlConnection conn, String owner, String contact) {
    return conn.preparedQuery("DELETE FROM contacts WHERE owner_aura_id = $1 AND contact_aura_id = $2")
      .execute(Tuple.of(owner, contact)).mapEmpty();
  }

  /** A's contacts: its own edges, and requests others sent it. */
  Future<List<JsonObject>> contactsOf(String auraId) {
    return pool.preparedQuery(CONTACTS + " ORDER BY other, direction")
      .execute(Tuple.of(auraId))
      .map(rows -> {
        List<JsonObject> contacts = new ArrayList<>();
        rows.forEach(row -> contacts.add(contact(row)));
        return contacts;
      });
  }

  /**
   * One page of A's contacts by AuraID: {@code {contacts, next_cursor}}. The cursor is the last row's AuraID and
   * direction (a person may appear twice: a block of theirs and their pending request).
   */
  Future<JsonObject> contactsPage(String auraId, Page page) {
    String afterOther = null;
    String afterDirection = null;
    if (page.cursor() != null) {
      int space = page.cursor().indexOf(' ');
      afterOther = space < 0 ? null : page.cursor().substring(0, space);
      afterDirection = space < 0 ? null : page.cursor().substring(space + 1);
      if (afterOther == null || !afterDirection.equals("incoming") && !afterDirection.equals("outgoing")) {
        return Future.failedFuture(Page.invalidCursor(IdentityError.VALIDATION_FAILED));
      }
    }
    // One row beyond the page says whether another page follows.
    return pool.preparedQuery("SELECT * FROM (" + CONTACTS + ") c WHERE $2::text IS NULL OR (c.other, c.direction) > ($2, $3)"
        + " ORDER BY c.other, c.direction LIMIT $4")
      .execute(Tuple.of(auraId, afterOther, afterDirection, page.limit() + 1))
      .map(rows -> {
        JsonArray contacts = new JsonArray();
        String last = null;
        boolean more = false;
        for (Row row : rows) {
          if (contacts.size() == page.limit()) {
            more = true;
            break;
          }
          contacts.add(contact(row));
          last = row.getString("other") + " " + row.getString("direction");
        }
        return new JsonObject().put("contacts", contacts).put("next_cursor", more ? last : null);
      });
  }

  private static final String CONTACTS = """
    SELECT contact_aura_id AS other, state, 'outgoing' AS direction, updated_at FROM contacts WHERE owner_aura_id = $1
    UNION ALL
    SELECT owner_aura_id, state, 'incoming', updated_at FROM contacts WHERE contact_aura_id = $1 AND state = 'pending'""";

  private static JsonObject contact(Row row) {
    String shown = switch (row.getString("state")) {
      case "accepted" -> "friend";
      case "blocked" -> "blocked";
      default -> "outgoing".equals(row.getString("direction")) ? "requested" : "request_received";
    };
    return new JsonObject().put("aura_id", row.getString("other")).put("state", shown)
      .put("since", row.getOffsetDateTime("updated_at").toInstant().toString());
  }

  // ---- Matrix provisioning --------------------------------------------------------------------------------

  /** A mapping due for provisioning, claimed for {@code lease} by one node. */
  record DueMapping(String auraId, String username, String matrixUserId, String displayName, int attempts) {
  }

  /**
   * Claims up to {@code limit} pending mappings whose time has come, pushing their next attempt past the lease
   * so that no other node takes them meanwhile; {@code SKIP LOCKED} lets nodes sweep side by side.
   */
  Future<List<DueMapping>> claimDue(int limit, long leaseSeconds) {
    return pool.preparedQuery("""
        UPDATE matrix_mappings m SET next_attempt_at = now() + make_interval(secs => $2), attempts = m.attempts + 1
        FROM aura_ids a
        WHERE a.aura_id = m.aura_id AND m.aura_id IN (
          SELECT aura_id FROM matrix_mappings WHERE state = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING m.aura_id, a.username, m.matrix_user_id, a.display_name, m.attempts""")
      .execute(Tuple.of(limit, (double) leaseSeconds))
      .map(rows -> {
        List<DueMapping> due = new ArrayList<>();
        rows.forEach(row -> due.add(new DueMapping(row.getString("aura_id"), row.getString("username"),
          row.getString("matrix_user_id"), row.getString("display_name"), row.getInteger("attempts"))));
        return due;
      });
  }

  Future<Void> provisioned(String auraId) {
    return pool.preparedQuery("""
        UPDATE matrix_mappings SET state = 'provisioned', provisioned_at = now(), next_attempt_at = NULL,
          last_error = NULL, attempts = 0
        WHERE aura_id = $1""")
      .execute(Tuple.of(auraId)).mapEmpty();
  }

  Future<Void> provisioningFailed(String auraId, String error, OffsetDateTime nextAttempt) {
    return pool.preparedQuery("UPDATE matrix_mappings SET last_error = $2, next_attempt_at = $3 WHERE aura_id = $1")
      .execute(Tuple.of(auraId, error.length() > 500 ? error.substring(0, 500) : error, nextAttempt)).mapEmpty();
  }

  private static Optional<Profile> first(RowSet<Row> rows) {
    var iterator = rows.iterator();
    return iterator.hasNext() ? Optional.of(Profile.from(iterator.next())) : Optional.empty();
  }
}
