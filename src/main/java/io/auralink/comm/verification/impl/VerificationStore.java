package io.auralink.comm.verification.impl;

import io.auralink.comm.platform.crypto.SealedColumn;
import io.auralink.comm.platform.crypto.Sealer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.StreamSupport;

/**
 * Challenges and verified methods in PostgreSQL. Every statement here is its own autocommitted statement: an
 * attempt counted by {@link #takeAttempt} is stored before the code is even compared, and nothing that fails later
 * can roll it back.
 * <p>
 * Destinations and PKCE verifiers are sealed ({@link Sealer}, bound to the challenge's id); a destination's keyed
 * digest is what lookups compare, and all a verified method keeps of it. Rows written before sealing existed keep
 * their plaintext until the re-encryption job ({@link #SEALED}) seals them: reads take either.
 */
final class VerificationStore {

  static final Sealer.Field DESTINATION = new Sealer.Field("verification_challenges", "destination");
  static final Sealer.Field VERIFIER = new Sealer.Field("verification_challenges", "oauth_verifier");
  /** The purpose of destination digests: the same in challenges and verified methods, so that one is copied. */
  static final String DESTINATION_LOOKUP = "verification.destination";
  /** What the re-encryption job keeps sealed under the current key. */
  static final List<SealedColumn> SEALED = List.of(
    SealedColumn.sealed("verification_challenges", "destination", "id").withLookup(DESTINATION_LOOKUP),
    SealedColumn.sealed("verification_challenges", "oauth_verifier", "id"),
    SealedColumn.lookupOnly("verified_methods", "destination", DESTINATION_LOOKUP, "aura_id", "method"));

  static final String PENDING = "pending";
  static final String COMPLETED = "completed";
  static final String EXPIRED = "expired";
  static final String EXHAUSTED = "exhausted";
  static final String CANCELLED = "cancelled";
  static final String UNDELIVERED = "undelivered";
  static final String FAILED = "failed";

  /** One challenge as stored. */
  record Challenge(UUID id, String auraId, String method, String destination, byte[] codeHash, String status,
                   int attempts, int maxAttempts, String providerRef, String deliveryStatus, Instant createdAt,
                   Instant expiresAt, Instant completedAt) {

    boolean expired(Instant now) {
      return !now.isBefore(expiresAt);
    }

    static Challenge of(Row row, Sealer sealer) {
      Buffer hash = row.getBuffer("code_hash");
      UUID id = row.getUUID("id");
      String sealed = row.getString("destination_sealed");
      String destination = sealed != null ? sealer.open(DESTINATION, sealed, id.toString())
        : row.getString("destination");
      return new Challenge(id, row.getString("aura_id"), row.getString("method"),
        destination, hash == null ? null : hash.getBytes(), row.getString("status"),
        row.getInteger("attempts"), row.getInteger("max_attempts"), row.getString("provider_ref"),
        row.getString("delivery_status"), instant(row, "created_at"), instant(row, "expires_at"),
        instant(row, "completed_at"));
    }
  }

  /** The state after an attempt was taken: the stored hash to compare with, and the attempts now counted. */
  record Attempt(byte[] codeHash, int attempts, int maxAttempts) {
  }

  private final Pool pool;
  private final Sealer sealer;

  VerificationStore(Pool pool, Sealer sealer) {
    this.pool = pool;
    this.sealer = sealer;
  }

  private Buffer digest(String destination) {
    byte[] digest = sealer.lookup(DESTINATION_LOOKUP, destination);
    return digest == null ? null : Buffer.buffer(digest);
  }

  Future<Void> insert(UUID id, String auraId, String method, String destination, byte[] codeHash, int maxAttempts,
                      Instant expiresAt, String providerRef) {
    return pool.preparedQuery("""
        INSERT INTO verification_challenges (id, aura_id, method, destination_sealed, destination_hmac, code_hash,
                                             status, max_attempts, expires_at, provider_ref)
        VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $9)""")
      .execute(Tuple.from(Arrays.asList(id, auraId, method, sealer.seal(DESTINATION, destination, id.toString()),
        digest(destination), codeHash == null ? null : Buffer.buffer(codeHash), maxAttempts, utc(expiresAt),
        providerRef)))
      .mapEmpty();
  }

  /** Keeps a social check's PKCE verifier until its callback consumes it. */
  Future<Void> keepVerifier(UUID id, String verifier) {
    return pool.preparedQuery("UPDATE verification_challenges SET oauth_verifier_sealed = $2 WHERE id = $1")
      .execute(Tuple.of(id, sealer.seal(VERIFIER, verifier, id.toString()))).mapEmpty();
  }

  /** A pending social check found by its state, with the verifier it held; the verifier is gone afterwards. */
  record Consumed(Challenge challenge, String verifier) {
  }

  /**
   * Takes a social check's verifier in one statement, so that a state is used once: a second callback with the
   * same state finds no verifier. Empty if no pending, unexpired check has this state and a verifier.
   */
  Future<Optional<Consumed>> consumeState(String stateRef) {
    return pool.preparedQuery("""
        UPDATE verification_challenges c SET oauth_verifier = NULL, oauth_verifier_sealed = NULL
        FROM (SELECT id, oauth_verifier, oauth_verifier_sealed FROM verification_challenges
              WHERE method = 'social' AND provider_ref = $1 AND status = 'pending' AND expires_at > now()
                AND (oauth_verifier IS NOT NULL OR oauth_verifier_sealed IS NOT NULL)
              FOR UPDATE) old
        WHERE c.id = old.id
        RETURNING c.*, old.oauth_verifier AS taken_verifier, old.oauth_verifier_sealed AS taken_verifier_sealed""")
      .execute(Tuple.of(stateRef))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next())
        .map(row -> {
          Challenge challenge = Challenge.of(row, sealer);
          String sealed = row.getString("taken_verifier_sealed");
          return new Consumed(challenge, sealed != null ? sealer.open(VERIFIER, sealed, challenge.id().toString())
            : row.getString("taken_verifier"));
        }));
  }

  Future<Optional<Challenge>> findByProviderRef(String method, String providerRef) {
    return pool.preparedQuery("SELECT * FROM verification_challenges WHERE method = $1 AND provider_ref = $2")
      .execute(Tuple.of(method, providerRef)).map(this::first);
  }

  /** The provider reported a failed check: the challenge can never complete. */
  Future<Optional<Challenge>> fail(UUID id) {
    return pool.preparedQuery("""
        UPDATE verification_challenges SET status = 'failed', ended_at = now()
        WHERE id = $1 AND status = 'pending' RETURNING *""")
      .execute(Tuple.of(id)).map(this::first);
  }

  /** Whether a provider's event was applied before. */
  Future<Boolean> eventSeen(String provider, String eventId) {
    return pool.preparedQuery("SELECT 1 FROM verification_webhook_events WHERE provider = $1 AND event_id = $2")
      .execute(Tuple.of(provider, eventId)).map(rows -> rows.size() > 0);
  }

  /** Remembers a provider's event as applied; answers false if it was already. */
  Future<Boolean> markEvent(String provider, String eventId) {
    return pool.preparedQuery("""
        INSERT INTO verification_webhook_events (provider, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING""")
      .execute(Tuple.of(provider, eventId)).map(rows -> rows.rowCount() == 1);
  }

  Future<Optional<Challenge>> find(UUID id) {
    return pool.preparedQuery("SELECT * FROM verification_challenges WHERE id = $1").execute(Tuple.of(id))
      .map(this::first);
  }

  Future<Void> delivered(UUID id, String providerRef) {
    return pool.preparedQuery("UPDATE verification_challenges SET provider_ref = $2 WHERE id = $1")
      .execute(Tuple.of(id, providerRef)).mapEmpty();
  }

  /** The channel did not take the message: the challenge can never complete. */
  Future<Void> undelivered(UUID id) {
    return pool.preparedQuery("""
        UPDATE verification_challenges SET status = 'undelivered', code_hash = NULL, ended_at = now()
        WHERE id = $1 AND status = 'pending'""")
      .execute(Tuple.of(id)).mapEmpty();
  }

  /**
   * Counts one attempt on a pending, unexpired challenge with attempts left, in one statement, and answers what to
   * compare the code with; empty if the challenge cannot take an attempt (then nothing was counted).
   */
  Future<Optional<Attempt>> takeAttempt(UUID id) {
    return pool.preparedQuery("""
        UPDATE verification_challenges SET attempts = attempts + 1
        WHERE id = $1 AND status = 'pending' AND expires_at > now() AND attempts < max_attempts
        RETURNING code_hash, attempts, max_attempts""")
      .execute(Tuple.of(id))
      .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next()).map(row ->
        new Attempt(row.getBuffer("code_hash").getBytes(), row.getInteger("attempts"), row.getInteger("max_attempts"))));
  }

  /** A wrong code used the last attempt: the challenge is locked for good. */
  Future<Void> exhaust(UUID id) {
    return pool.preparedQuery("""
        UPDATE verification_challenges SET status = 'exhausted', ended_at = now()
        WHERE id = $1 AND status = 'pending'""")
      .execute(Tuple.of(id)).mapEmpty();
  }

  /** A completed challenge, and whether its method was new for the AuraID. */
  record Completed(Challenge challenge, boolean first) {
  }

  /**
   * Completes a pending, unexpired challenge and records its method in one transaction, with {@code subject} as
   * its destination when given (social checks); empty if it was no longer pending. A destination that another
   * AuraID verified in the meantime (phone, social: unique in {@code verified_methods}) fails with the database's
   * unique violation and leaves the challenge pending.
   */
  Future<Optional<Completed>> complete(UUID id, String subject) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          UPDATE verification_challenges SET status = 'completed',
            destination = CASE WHEN $2::text IS NULL THEN destination END,
            destination_sealed = COALESCE($2, destination_sealed), destination_hmac = COALESCE($3, destination_hmac),
            completed_at = now(), ended_at = now()
          WHERE id = $1 AND status = 'pending' AND expires_at > now() RETURNING *""")
        .execute(Tuple.of(id, sealer.seal(DESTINATION, subject, id.toString()), digest(subject)))
        .compose(rows -> {
          Optional<Challenge> done = first(rows);
          if (done.isEmpty()) {
            return Future.succeededFuture(Optional.<Completed>empty());
          }
          Challenge c = done.get();
          return conn.preparedQuery("""
              INSERT INTO verified_methods (aura_id, method, destination_hmac, challenge_id) VALUES ($1, $2, $3, $4)
              ON CONFLICT (aura_id, method) DO NOTHING""")
            .execute(Tuple.of(c.auraId(), c.method(), digest(c.destination()), c.id()))
            .map(inserted -> Optional.of(new Completed(c, inserted.rowCount() == 1)));
        }));
  }

  Future<Optional<Completed>> complete(UUID id) {
    return complete(id, null);
  }

  /** Cancels a pending challenge; empty if it was no longer pending. */
  Future<Optional<Challenge>> cancel(UUID id) {
    return pool.preparedQuery("""
        UPDATE verification_challenges SET status = 'cancelled', code_hash = NULL, ended_at = now()
        WHERE id = $1 AND status = 'pending' RETURNING *""")
      .execute(Tuple.of(id)).map(this::first);
  }

  Future<Void> trustRecorded(String auraId, String method) {
    return pool.preparedQuery("UPDATE verified_methods SET trust_recorded = true WHERE aura_id = $1 AND method = $2")
      .execute(Tuple.of(auraId, method)).mapEmpty();
  }

  /**
   * Records, from the last day's completed challenges, any method whose record a failure between the completion and
   * the record left out; answers how many.
   */
  Future<Integer> recordMissed() {
    return pool.preparedQuery("""
        INSERT INTO verified_methods (aura_id, method, destination, destination_hmac, challenge_id, verified_at)
        SELECT DISTINCT ON (c.aura_id, c.method) c.aura_id, c.method, c.destination, c.destination_hmac, c.id,
          c.completed_at
        FROM verification_challenges c
        WHERE c.status = 'completed' AND c.completed_at > now() - interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM verified_methods v WHERE v.aura_id = c.aura_id AND v.method = c.method)
        ORDER BY c.aura_id, c.method, c.completed_at
        ON CONFLICT DO NOTHING""")
      .execute().map(RowSet::rowCount);
  }

  /** Verified methods the trust domain has not acknowledged yet, oldest first: {@code [aura_id, method]} pairs. */
  Future<List<String[]>> unrecorded(int limit) {
    return pool.preparedQuery("""
        SELECT aura_id, method FROM verified_methods WHERE NOT trust_recorded ORDER BY verified_at LIMIT $1""")
      .execute(Tuple.of(limit))
      .map(rows -> StreamSupport.stream(rows.spliterator(), false)
        .map(row -> new String[] {row.getString("aura_id"), row.getString("method")}).toList());
  }

  /**
   * Whether another AuraID has verified this destination for this method, by its digest. Rows from before sealing
   * that the job has not reached yet still hold plaintext (and no digest): they are compared as they are until then.
   */
  Future<Boolean> verifiedByAnother(String method, String destination, String auraId) {
    return pool.preparedQuery("""
        SELECT 1 FROM verified_methods
        WHERE method = $1 AND (destination_hmac = $2 OR destination_hmac IS NULL AND destination = $3)
          AND aura_id <> $4 LIMIT 1""")
      .execute(Tuple.of(method, digest(destination), destination, auraId))
      .map(rows -> rows.size() > 0);
  }

  /** An AuraID's challenges, newest first, strictly before the cursor position when one is given. */
  Future<List<Challenge>> page(String auraId, int limit, Instant beforeCreated, UUID beforeId) {
    if (beforeCreated == null) {
      return pool.preparedQuery("""
          SELECT * FROM verification_challenges WHERE aura_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2""")
        .execute(Tuple.of(auraId, limit)).map(this::all);
    }
    return pool.preparedQuery("""
        SELECT * FROM verification_challenges WHERE aura_id = $1 AND (created_at, id) < ($2, $3)
        ORDER BY created_at DESC, id DESC LIMIT $4""")
      .execute(Tuple.of(auraId, utc(beforeCreated), beforeId, limit)).map(this::all);
  }

  /** Marks pending challenges whose time ran out as expired; answers how many. */
  Future<Integer> expireDue() {
    return pool.preparedQuery("""
        UPDATE verification_challenges SET status = 'expired', code_hash = NULL, ended_at = now()
        WHERE status = 'pending' AND expires_at <= now()""")
      .execute().map(RowSet::rowCount);
  }

  /** A provider's delivery status for the message it took; answers whether a challenge had that message. */
  Future<Boolean> deliveryStatus(String providerRef, String status) {
    return pool.preparedQuery("UPDATE verification_challenges SET delivery_status = $2 WHERE provider_ref = $1")
      .execute(Tuple.of(providerRef, status)).map(rows -> rows.rowCount() > 0);
  }

  private Optional<Challenge> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(Challenge.of(rows.iterator().next(), sealer));
  }

  private List<Challenge> all(RowSet<Row> rows) {
    return StreamSupport.stream(rows.spliterator(), false).map(row -> Challenge.of(row, sealer)).toList();
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
