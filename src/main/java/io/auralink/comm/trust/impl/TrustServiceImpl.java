package io.auralink.comm.trust.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Page;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.trust.TrustError;
import io.auralink.comm.trust.TrustEvents;
import io.auralink.comm.trust.TrustService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.serviceproxy.ServiceException;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * The trust domain's logic: validation, authorisation, the report rules, moderation (federation in
 * {@link Federation}). Every
 * change of an entity runs in one transaction holding the entity locked: the change, the new score, the automatic
 * suspension rule, the history. After the commit the change is published and, for an AuraID, pushed to the
 * registry before it is answered.
 */
public final class TrustServiceImpl implements TrustService {

  public static final int HISTORY_SHOWN = 50;
  public static final int QUEUE_LIMIT = 200;
  public static final double MAX_BEHAVIOUR_STEP = 5;
  private static final Set<String> CATEGORIES =
    Set.of("spam", "harassment", "malicious_node", "security_threat", "impersonation", "other");
  /** Review priority by severity: critical first, then high; low and medium are queued only if they weigh nothing. */
  private static final Map<String, Integer> PRIORITY = Map.of("critical", 1, "high", 2);
  /** Low and medium reports that weigh nothing toward automatic action still reach the queue, last. */
  private static final int UNWEIGHED_PRIORITY = 3;
  private static final Set<String> SEVERITIES = Set.of("low", "medium", "high", "critical");
  private static final int MAX_DESCRIPTION = 2000;
  private static final int MAX_EVIDENCE_BYTES = 16 * 1024;
  private static final int MAX_REASON = 1000;
  private static final String SYSTEM = "system";
  /** Bounds of one service report: more than a year, or a billion events, in one report is a mistake. */
  private static final double MAX_SERVICE_SECONDS = 366 * 24 * 3600;
  private static final double MAX_SERVICE_COUNT = 1e9;

  private final Vertx vertx;
  private final TrustStore store;
  private final IdentityService identity;
  private final IdentitySync sync;
  private final Federation federation;
  private final MeterRegistry metrics;
  private final AppConfig.Trust config;
  private final ReporterWeight.Policy reporterPolicy;

  TrustServiceImpl(Vertx vertx, TrustStore store, IdentityService identity, IdentitySync sync, Federation federation,
                   MeterRegistry metrics, AppConfig.Trust config) {
    this.vertx = vertx;
    this.store = store;
    this.identity = identity;
    this.sync = sync;
    this.federation = federation;
    this.metrics = metrics;
    this.config = config;
    this.reporterPolicy = new ReporterWeight.Policy(config.reporterMinimumAge(), config.reporterFullWeightAge());
  }

  public static TrustServiceImpl create(Vertx vertx, Platform platform, Redis redis) {
    AppConfig.Trust config = platform.config().trust();
    TrustStore store = new TrustStore(platform.pool(), config.suspensionWeight());
    IdentityService identity = IdentityService.proxy(vertx, platform.loops(),
      platform.config().node().eventBusTimeout().toMillis());
    return new TrustServiceImpl(vertx, store, identity, new IdentitySync(vertx, store, identity, config),
      new Federation(store, new FederationLimits(redis), config), platform.metrics(), config);
  }

  public void start() {
    sync.start();
  }

  public void stop() {
    sync.stop();
  }

  // ---- trust info -------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> trustInfo(String entityType, String entityId, Caller caller) {
    return parsed(() -> Entity.of(entityType, entityId, null)).compose(entity -> {
      // The one rule: a person reads their own AuraID's trust, a service acting as a person only that person's,
      // a service acting for nobody any entity's with a trust scope.
      boolean allowed = Entity.AURA_ID.equals(entity.type())
        ? caller.mayActFor(entity.id(), TrustService.READ, TrustService.MODERATE, TrustService.ADMIN)
        : !caller.isPerson() && caller.actsAs() == null
          && caller.mayAny(TrustService.READ, TrustService.MODERATE, TrustService.ADMIN);
      if (!allowed) {
        return TrustError.FORBIDDEN.fail("reading trust needs trust:read, unless it is your own AuraID's",
          field("entity_id"));
      }
      return Future.all(store.find(entity), store.history(entity, HISTORY_SHOWN))
        .map(both -> info(both.resultAt(0)).put("history", both.<JsonArray>resultAt(1)));
    });
  }

  private static JsonObject info(TrustStore.Snapshot s) {
    TrustScore.Score score = s.score();
    JsonArray methods = new JsonArray();
    s.components().verifications().stream().map(TrustScore.Method::id).sorted().forEach(methods::add);
    return s.entity().toJson()
      .put("score", score.total())
      .put("level", score.level().id())
      .put("suspended", s.suspended())
      .put("suspension", s.suspension().map(TrustStore.Suspension::toJson).orElse(null))
      .put("components", new JsonObject()
        .put("base", s.components().base())
        .put("verification", score.verification())
        .put("verifications", methods)
        .put("behaviour", score.behaviour())
        .put("penalty", score.penalty())
        .put("counted_reports", score.countedReports())
        .put("distinct_reporters", score.distinctReporters())
        .put("corroborating_weight", score.corroboratingWeight())
        .put("corroborated", score.corroborated())
        .put("node", s.node() == null ? null : new JsonObject()
          .put("base", s.node().total()).put("owner", s.node().owner()).put("service", s.node().service())
          .put("relayed", s.node().relayed()).put("vouched", s.node().vouched())))
      .put("recorded", s.recorded())
      .put("version", s.version());
  }

  // ---- reports ----------------------------------------------------------------------------------------------

  /**
   * Files a report: the target must exist (and an AuraID be visible to its reporter), the reporter must be
   * registered, neither deactivated nor suspended, within its hourly limit and not have reported the target in
   * the last day. The report weighs what {@link ReporterWeight} says (nothing for a person's report on a node or a
   * server: those wait for a moderator); reports that weigh nothing go to the review queue, and a target reported by
   * several reporters without grounds for an automatic suspension is escalated to the top of it.
   */
  @Override
  public Future<JsonObject> report(JsonObject body, Caller caller) {
    return parsed(() -> reportRequest(body, caller))
      .compose(request -> registeredReporter(request.reporter(), caller).compose(reporter -> {
        ReporterWeight.Verdict verdict = ReporterWeight.of(reporter.standing(), reporterPolicy);
        return mayReport(reporter, verdict)
          .compose(v -> existingTarget(request.target(), reporter.entity()))
          .compose(target -> file(request.resolved(target, reporter.entity()), verdict));
      }));
  }

  /** A validated report, before its target and reporter are looked up. */
  private record ReportRequest(Entity target, Entity reporter, String category, String severity, String description,
                               JsonObject evidence, String callId) {

    /** The same report naming its target and reporter by their canonical ids. */
    ReportRequest resolved(Entity canonicalTarget, Entity canonicalReporter) {
      return new ReportRequest(canonicalTarget, canonicalReporter, category, severity, description, evidence, callId);
    }
  }

  private static ReportRequest reportRequest(JsonObject body, Caller caller) {
    Entity target = Entity.of(body.getJsonObject("target"), "target");
    Entity reporter;
    if (caller.isPerson()) {
      reporter = new Entity(Entity.AURA_ID, caller.auraId().toLowerCase(Locale.ROOT));
      JsonObject named = body.getJsonObject("reporter");
      if (named != null && !Entity.of(named, "reporter").equals(reporter)) {
        throw TrustError.FORBIDDEN.exception("a person reports as themselves: reporter names someone else",
          field("reporter"));
      }
    } else if (caller.mayAny(TrustService.REPORT, TrustService.ADMIN)) {
      reporter = Entity.of(body.getJsonObject("reporter"), "reporter");
      if (caller.actsAs() != null && !reporter.equals(new Entity(Entity.AURA_ID, caller.actsAs().toLowerCase(Locale.ROOT)))) {
        // A service acting as a person reports as that person only, whatever its scopes.
        throw TrustError.FORBIDDEN.exception("a service acting as " + caller.actsAs() + " reports only as them",
          field("reporter"));
      }
    } else {
      throw TrustError.FORBIDDEN.exception("filing reports needs trust:report");
    }
    if (reporter.equals(target)) {
      throw selfReport();
    }
    String category = body.getString("category");
    if (!CATEGORIES.contains(category)) {
      throw Entity.invalid("category", "category must be one of " + String.join(", ", CATEGORIES.stream().sorted().toList()));
    }
    String severity = body.getString("severity", "medium");
    if (!SEVERITIES.contains(severity)) {
      throw Entity.invalid("severity", "severity must be one of low, medium, high, critical");
    }
    String description = body.getString("description");
    if (description == null || description.isBlank() || description.length() > MAX_DESCRIPTION) {
      throw Entity.invalid("description", "description is required: 1 to " + MAX_DESCRIPTION + " characters");
    }
    JsonObject evidence = body.getJsonObject("evidence");
    if (evidence != null && evidence.toBuffer().length() > MAX_EVIDENCE_BYTES) {
      throw Entity.invalid("evidence", "evidence must be at most 16 KiB of JSON");
    }
    String callId = body.getString("call_id");
    if (callId != null && (callId.isBlank() || callId.length() > 128)) {
      throw Entity.invalid("call_id", "call_id must be 1 to 128 characters long");
    }
    return new ReportRequest(target, reporter, category, severity, description, evidence, callId);
  }

  private static ServiceException selfReport() {
    return TrustError.SELF_REPORT.exception("an entity cannot report itself", field("target"));
  }

  /** The reporter as registered; a person who is not registered, or a service's unknown reporter, is refused. */
  private Future<TrustStore.Reporting> registeredReporter(Entity reporter, Caller caller) {
    return store.reporter(reporter).compose(found -> found.isPresent() ? Future.succeededFuture(found.get())
      : caller.isPerson()
        ? TrustError.REPORTER_INACTIVE.fail("your AuraID is not registered", field("reporter"))
        : notFound(reporter.type()).fail("no such " + reporter.type() + " to report as", field("reporter.entity_id")));
  }

  /** Deactivated and suspended reporters cannot report. */
  private static Future<Void> mayReport(TrustStore.Reporting reporter, ReporterWeight.Verdict verdict) {
    if (verdict.mayReport()) {
      return Future.succeededFuture();
    }
    return reporter.standing().state() == ReporterWeight.State.DEACTIVATED
      ? TrustError.REPORTER_INACTIVE.fail("a deactivated reporter cannot file reports", field("reporter"))
      : TrustError.REPORTER_SUSPENDED.fail("a suspended reporter cannot file reports", field("reporter"));
  }

  /**
   * The target in canonical form, if it exists: an AuraID visible to its reporter (a person sees what the registry
   * shows them, so a hidden AuraID answers like an unknown one), a registered mesh node, a homeserver in the
   * federation registry. Anything else is 404.
   */
  private Future<Entity> existingTarget(Entity target, Entity reporter) {
    Future<Optional<String>> found = switch (target.type()) {
      case Entity.AURA_ID -> visibleTo(target, reporter);
      case Entity.MESH_NODE -> store.meshNode(target.id());
      default -> store.serverKnown(target.id()).map(known -> known ? Optional.of(target.id()) : Optional.empty());
    };
    return found.compose(id -> id.isPresent() ? Future.succeededFuture(new Entity(target.type(), id.get()))
      : notFound(target.type()).fail("no such " + target.type(), field("target.entity_id")));
  }

  /** Each kind of entity has its own not-found code, the one its own domain uses. */
  private static TrustError notFound(String entityType) {
    return switch (entityType) {
      case Entity.AURA_ID -> TrustError.AURAID_NOT_FOUND;
      case Entity.MESH_NODE -> TrustError.NODE_NOT_FOUND;
      default -> TrustError.FEDERATED_SERVER_NOT_FOUND;
    };
  }

  private Future<Optional<String>> visibleTo(Entity target, Entity reporter) {
    Caller asker = Entity.AURA_ID.equals(reporter.type()) ? Caller.person(reporter.id())
      : Caller.service("trust", Set.of(IdentityService.ADMIN));
    return identity.resolve(target.id(), asker).map(Optional.of(target.id()))
      .recover(e -> e instanceof ServiceException se && se.failureCode() == 404
        ? Future.succeededFuture(Optional.empty())
        : Future.failedFuture(e));
  }

  private Future<JsonObject> file(ReportRequest request, ReporterWeight.Verdict verdict) {
    Entity target = request.target();
    Entity reporter = request.reporter();
    if (reporter.equals(target)) {
      // Told apart only by the spelling of a node id.
      return Future.failedFuture(selfReport());
    }
    // People's reports on nodes and servers never act by themselves: a moderator (or the mesh's own evidence) does.
    boolean waitsForModerator = Entity.AURA_ID.equals(reporter.type()) && !Entity.AURA_ID.equals(target.type());
    double weight = waitsForModerator ? 0 : verdict.weight();
    String basis = waitsForModerator ? "a person's report on a " + target.type() + " waits for a moderator"
      : verdict.basis();
    Integer priority = PRIORITY.getOrDefault(request.severity(), weight == 0 ? UNWEIGHED_PRIORITY : null);
    TrustStore.NewReport report = new TrustStore.NewReport(reporter, request.category(), request.severity(),
      request.description(), request.evidence(), request.callId(), weight, priority);
    return change(target, true, locked -> fileLocked(locked, report))
      .map(outcome -> outcome.result()
        .put("weight_basis", basis)
        .put("new_trust_score", outcome.after().score().total())
        .put("trust_level", outcome.after().score().level().id())
        .put("suspended", outcome.after().suspended())
        .put("queued_for_review", outcome.result().getValue("review_priority") != null));
  }

  /**
   * Inside the target's transaction, with the reporter's reports held: the duplicate rule, the hourly limit, the
   * insert, and the escalation when the target's reports now warrant a review rather than a suspension.
   */
  private Future<Step<JsonObject>> fileLocked(TrustStore.Locked locked, TrustStore.NewReport report) {
    Entity reporter = report.reporter();
    return locked.lockReporter(reporter)
      .compose(v -> locked.recentReportBy(reporter))
      .compose(recent -> recent.isEmpty() ? locked.reportLimitReached(reporter, config.reportsPerHour())
        : TrustError.DUPLICATE_REPORT.fail("you reported this entity in the last 24 hours",
          new JsonObject().put("report_id", recent.get())))
      .compose(limited -> limited.isEmpty() ? locked.insertReport(report)
        : TrustError.RATE_LIMITED.fail("at most " + config.reportsPerHour() + " reports an hour",
          new JsonObject().put("retry_after_seconds", limited.get().toSeconds())
            .put("limit", config.reportsPerHour()).put("window_seconds", 3600)))
      .compose(stored -> locked.reload().compose(now -> !now.score().warrantsReview() ? Future.succeededFuture(stored)
        : locked.escalate().compose(x -> locked.reread(UUID.fromString(stored.getString("report_id"))))))
      .map(stored -> new Step<>(stored, "report " + stored.getString("report_id") + " (" + report.category() + ", "
        + report.severity() + ") by " + reporter.key()));
  }

  @Override
  public Future<JsonObject> getReport(String reportId, Caller caller) {
    return moderator(caller).compose(v -> report(reportId));
  }

  private Future<JsonObject> report(String reportId) {
    return reportUuid(reportId).compose(store::findReport)
      .compose(found -> found.map(Future::succeededFuture).orElseGet(TrustServiceImpl::noSuchReport));
  }

  @Override
  public Future<JsonObject> reviewQueue(int limit, Caller caller) {
    int capped = Math.max(1, Math.min(QUEUE_LIMIT, limit));
    return moderator(caller).compose(v -> store.queue(capped))
      .map(reports -> new JsonObject().put("reports", new JsonArray(reports)));
  }

  @Override
  public Future<JsonObject> claimReport(String reportId, Caller caller) {
    return moderator(caller).compose(v -> reportUuid(reportId))
      .compose(id -> store.claim(id, caller.principal()).compose(claimed -> claimed.isPresent()
        ? log(claimed.get(), "claim_report", "claimed for review", caller).map(claimed.get())
        // Claiming again what one holds already is harmless.
        : report(reportId).compose(report -> "pending".equals(report.getString("status"))
          && caller.principal().equals(report.getString("claimed_by")) ? Future.succeededFuture(report)
          : notClaimable(report))));
  }

  private Future<Void> log(JsonObject report, String action, String reason, Caller caller) {
    Entity target = Entity.of(report.getJsonObject("reported_entity"), "reported_entity");
    return store.log(target, action, reason, caller.principal());
  }

  private static <T> Future<T> notClaimable(JsonObject report) {
    return "pending".equals(report.getString("status"))
      ? TrustError.REPORT_STATE.fail("the report is claimed by " + report.getString("claimed_by"))
      : TrustError.REPORT_STATE.fail("the report is " + report.getString("status") + " already");
  }

  @Override
  public Future<JsonObject> resolveReport(String reportId, JsonObject decision, Caller caller) {
    String verdict = decision == null ? null : decision.getString("decision");
    String note = decision == null ? null : decision.getString("note");
    TrustScore.ReportStatus status = "uphold".equals(verdict) ? TrustScore.ReportStatus.UPHELD
      : "dismiss".equals(verdict) ? TrustScore.ReportStatus.DISMISSED : null;
    if (status == null) {
      return TrustError.VALIDATION_FAILED.fail("decision must be one of uphold, dismiss", field("decision"));
    }
    return moderator(caller).compose(v -> reasonOf(note, "note"))
      .compose(v -> report(reportId))
      .compose(found -> {
        Entity target = Entity.of(found.getJsonObject("reported_entity"), "reported_entity");
        UUID id = UUID.fromString(found.getString("report_id"));
        return change(target, true, locked -> TrustStore.lockReport(locked.conn, id)
          .compose(current -> {
            JsonObject report = current.orElseThrow();
            String claimedBy = report.getString("claimed_by");
            if (!"pending".equals(report.getString("status"))
              || (claimedBy != null && !claimedBy.equals(caller.principal()))) {
              return notClaimable(report);
            }
            String action = status == TrustScore.ReportStatus.UPHELD ? "uphold_report" : "dismiss_report";
            return TrustStore.resolve(locked.conn, id, status, caller.principal(), note)
              .compose(resolved -> locked.log(action, note, caller.principal(), false, id.toString())
                .map(new Step<>(resolved, "report " + id + " " + status.id() + " by " + caller.principal())));
          }));
      })
      .map(outcome -> outcome.result()
        .put("new_trust_score", outcome.after().score().total())
        .put("trust_level", outcome.after().score().level().id())
        .put("suspended", outcome.after().suspended()));
  }

  // ---- moderation -------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> suspend(String entityType, String entityId, String reason, Caller caller) {
    return moderator(caller).compose(v -> reasonOf(reason, "reason"))
      .compose(v -> parsed(() -> Entity.of(entityType, entityId, null)))
      .compose(entity -> change(entity, false, locked -> {
        Optional<TrustStore.Suspension> current = locked.before.suspension();
        if (current.isPresent() && !current.get().automatic()) {
          return TrustError.SUSPENSION_STATE.fail("already suspended by " + current.get().by());
        }
        // An automatic suspension confirmed by a moderator becomes theirs: no longer lifted by the rule.
        return locked.suspend(reason, caller.principal(), false)
          .compose(x -> locked.log("suspend", reason, caller.principal(), false, null))
          .map(new Step<>(true, "suspended by " + caller.principal() + ": " + reason));
      }))
      .map(outcome -> info(outcome.after()));
  }

  @Override
  public Future<JsonObject> unsuspend(String entityType, String entityId, String reason, Caller caller) {
    return moderator(caller).compose(v -> reasonOf(reason, "reason"))
      .compose(v -> parsed(() -> Entity.of(entityType, entityId, null)))
      .compose(entity -> change(entity, false, locked -> !locked.before.suspended()
        ? TrustError.SUSPENSION_STATE.fail("not suspended")
        : locked.unsuspend()
          .compose(x -> locked.log("unsuspend", reason, caller.principal(), false, null))
          .map(new Step<>(true, "unsuspended by " + caller.principal() + ": " + reason))))
      .map(outcome -> info(outcome.after()));
  }

  @Override
  public Future<JsonObject> moderationLog(String entityType, String entityId, JsonObject page, Caller caller) {
    return moderator(caller).compose(v -> parsed(() -> Entity.of(entityType, entityId, null)))
      .compose(entity -> parsed(() -> Page.of(page, TrustError.VALIDATION_FAILED))
        .compose(asked -> store.moderationLog(entity, asked))
        .map(entries -> entity.toJson().mergeIn(entries)));
  }

  // ---- components from other domains ------------------------------------------------------------------------

  @Override
  public Future<JsonObject> recordVerification(String entityType, String entityId, String method, Caller caller) {
    if (!caller.mayAny(TrustService.WRITE, TrustService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("recording verifications needs trust:write");
    }
    Optional<TrustScore.Method> verified = TrustScore.Method.parse(method);
    if (verified.isEmpty()) {
      return TrustError.VALIDATION_FAILED.fail("method must be one of email, phone, document, social, biometric", field("method"));
    }
    return parsed(() -> Entity.of(entityType, entityId, null))
      .compose(entity -> change(entity, false, locked -> locked.addVerification(verified.get())
        .map(added -> new Step<>(added, "verification: " + method, added))))
      .map(outcome -> info(outcome.after()).put("added", outcome.result()));
  }

  @Override
  public Future<JsonObject> recordBehaviour(String entityType, String entityId, double delta, String reason,
                                            Caller caller) {
    if (!caller.mayAny(TrustService.WRITE, TrustService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("recording behaviour needs trust:write");
    }
    if (!Double.isFinite(delta) || Math.abs(delta) > MAX_BEHAVIOUR_STEP) {
      return TrustError.VALIDATION_FAILED.fail("delta must be between -5 and 5", field("delta"));
    }
    return reasonOf(reason, "reason")
      .compose(v -> parsed(() -> Entity.of(entityType, entityId, null)))
      .compose(entity -> change(entity, false, locked -> locked.addBehaviour(delta)
        .map(new Step<>(true, "behaviour " + (delta >= 0 ? "+" : "") + delta + ": " + reason))))
      .map(outcome -> info(outcome.after()));
  }

  // ---- mesh nodes -------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> recordNodeService(String nodeId, JsonObject service, Caller caller) {
    if (!caller.mayAny(TrustService.WRITE, TrustService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("recording a node's service needs trust:write");
    }
    return parsed(() -> nodeService(service == null ? new JsonObject() : service))
      .compose(recorded -> meshNode(nodeId).compose(node -> change(node, false, locked ->
        locked.addNodeService(recorded).map(new Step<>(true, "service: " + describe(recorded))))))
      .map(outcome -> info(outcome.after()));
  }

  @Override
  public Future<JsonObject> recordNodeServices(JsonObject services, Caller caller) {
    if (!caller.mayAny(TrustService.WRITE, TrustService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("recording nodes' service needs trust:write");
    }
    JsonObject all = services == null ? new JsonObject() : services;
    if (all.size() > TrustService.MAX_NODE_SERVICES) {
      return TrustError.VALIDATION_FAILED.fail("at most " + TrustService.MAX_NODE_SERVICES + " nodes per request",
        field("services"));
    }
    return parsed(() -> {
      Map<String, TrustStore.NodeService> checked = new java.util.TreeMap<>();
      for (String nodeId : all.fieldNames()) {
        if (!(all.getValue(nodeId) instanceof JsonObject record)) {
          throw Entity.invalid("services." + nodeId, "each node's service is an object");
        }
        checked.put(nodeId, nodeService(record));
      }
      return checked;
    }).compose(checked -> {
      JsonArray recorded = new JsonArray();
      JsonArray unknown = new JsonArray();
      // One node after the other, each in its own transaction: a flat chain built in a loop.
      Future<Void> chain = Future.succeededFuture();
      for (Map.Entry<String, TrustStore.NodeService> e : checked.entrySet()) {
        chain = chain.compose(v -> store.meshNode(e.getKey())).compose(id -> {
          if (id.isEmpty()) {
            unknown.add(e.getKey());
            return Future.succeededFuture();
          }
          return change(new Entity(Entity.MESH_NODE, id.get()), false, locked -> locked.addNodeService(e.getValue())
            .map(new Step<>(true, "service: " + describe(e.getValue())))).map(outcome -> {
              recorded.add(e.getKey());
              return null;
            });
        });
      }
      return chain.map(v -> new JsonObject().put("recorded", recorded).put("unknown", unknown));
    });
  }

  private static TrustStore.NodeService nodeService(JsonObject s) {
    return new TrustStore.NodeService(count(s, "online_seconds", MAX_SERVICE_SECONDS),
      count(s, "offline_seconds", MAX_SERVICE_SECONDS), (long) count(s, "beats_on_time", MAX_SERVICE_COUNT),
      (long) count(s, "beats_late", MAX_SERVICE_COUNT), (long) count(s, "relayed_good", MAX_SERVICE_COUNT),
      (long) count(s, "relayed_poor", MAX_SERVICE_COUNT));
  }

  private static double count(JsonObject s, String field, double max) {
    Object value = s.getValue(field);
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue()) || number.doubleValue() < 0
      || number.doubleValue() > max) {
      throw Entity.invalid(field, field + " must be a number from 0 to " + (long) max);
    }
    return number.doubleValue();
  }

  private static String describe(TrustStore.NodeService s) {
    return String.format(Locale.ROOT, "online %.0f s, offline %.0f s, beats %d on time %d late, relayed %d good %d poor",
      s.onlineSeconds(), s.offlineSeconds(), s.beatsOnTime(), s.beatsLate(), s.relayedGood(), s.relayedPoor());
  }

  @Override
  public Future<JsonObject> vouchNode(String nodeId, JsonObject vouch, Caller caller) {
    if (!caller.mayAny(MeshService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("vouching for a node's trust needs mesh:admin");
    }
    JsonObject body = vouch == null ? new JsonObject() : vouch;
    Object value = body.getValue("trust");
    if (!body.containsKey("trust") || (value != null && (!(value instanceof Number number)
      || !Double.isFinite(number.doubleValue()) || number.doubleValue() < 0 || number.doubleValue() > 100))) {
      return TrustError.VALIDATION_FAILED.fail("trust is required: 0 to 100, or null to withdraw the vouch",
        field("trust"));
    }
    Double trust = value == null ? null : ((Number) value).doubleValue();
    String reason = body.getString("reason");
    return reasonOf(reason, "reason")
      .compose(v -> meshNode(nodeId))
      .compose(node -> store.meshNodeType(node.id()).compose(type -> !"peer".equals(type.orElse("peer"))
        ? Future.succeededFuture(node)
        : TrustError.NODE_NOT_INFRASTRUCTURE.<Entity>fail("a peer is a person's device: its trust is earned, not"
          + " vouched; only relay, edge and super_node nodes can be vouched for")))
      .compose(node -> change(node, false, locked -> {
        String what = trust == null ? "vouch withdrawn" : "vouched at " + trust;
        return locked.vouch(trust, caller.principal())
          .compose(x -> locked.log("vouch_node", what + ": " + reason, caller.principal(), false, null))
          .map(new Step<>(true, what + " by " + caller.principal() + ": " + reason));
      }))
      .map(outcome -> info(outcome.after()));
  }

  /** A registered mesh node as an entity, or 404. */
  private Future<Entity> meshNode(String nodeId) {
    return store.meshNode(nodeId).compose(id -> id.isPresent()
      ? Future.succeededFuture(new Entity(Entity.MESH_NODE, id.get()))
      : TrustError.NODE_NOT_FOUND.fail("no such mesh node"));
  }

  // ---- federation -------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> federatedServers(JsonObject page, Caller caller) {
    return federation.servers(page, caller);
  }

  @Override
  public Future<JsonObject> putFederatedServer(String domain, JsonObject settings, Caller caller) {
    return federation.put(domain, settings, caller);
  }

  @Override
  public Future<JsonObject> blockFederatedServer(String domain, String reason, Caller caller) {
    return federation.block(domain, reason, caller);
  }

  @Override
  public Future<JsonObject> unblockFederatedServer(String domain, Caller caller) {
    return federation.unblock(domain, caller);
  }

  @Override
  public Future<JsonObject> checkFederatedServer(String domain, Caller caller) {
    return federation.check(domain, caller);
  }

  // ---- the change frame -------------------------------------------------------------------------------------

  /** What one change did: its answer, the reason recorded in the history, and whether anything changed. */
  private record Step<T>(T result, String reason, boolean changed) {
    Step(T result, String reason) {
      this(result, reason, true);
    }
  }

  /** A committed change: the entity before and after it (with its stored version). */
  private record Outcome<T>(T result, TrustStore.Snapshot before, TrustStore.Snapshot after) {

    boolean changed() {
      return after.version() != before.version();
    }
  }

  /**
   * The frame of every change to one entity: in one transaction holding it locked, apply {@code step}, recompute
   * the score, apply the automatic suspension rule when reports changed, store the score and history; after the
   * commit, publish the change and push it to the registry.
   */
  private <T> Future<Outcome<T>> change(Entity entity, boolean reportsChanged, Function<TrustStore.Locked, Future<Step<T>>> step) {
    return store.<Outcome<T>>locked(entity, locked -> step.apply(locked).compose(done -> !done.changed()
        ? Future.succeededFuture(new Outcome<>(done.result(), locked.before, locked.before))
        : locked.reload()
          .compose(after -> reportsChanged ? automaticSuspension(locked, after) : Future.succeededFuture(after))
          .compose(after -> locked.save(after, done.reason())
            .map(version -> new Outcome<>(done.result(), locked.before, after.withVersion(version))))))
      .compose(outcome -> outcome.changed() ? published(outcome).map(outcome) : Future.succeededFuture(outcome));
  }

  /**
   * Suspends when the score fell below 20 with corroboration (reporters who weigh something, together enough), and
   * lifts an automatic suspension whose grounds are gone (a report was dismissed). Manual suspensions are left to
   * moderators.
   */
  private static Future<TrustStore.Snapshot> automaticSuspension(TrustStore.Locked locked, TrustStore.Snapshot after) {
    TrustScore.Score score = after.score();
    if (!after.suspended() && score.warrantsSuspension()) {
      String reason = "automatic: score " + score.total() + " below " + (int) TrustScore.SUSPENSION_BELOW + " with "
        + score.distinctReporters() + " distinct reporters weighing " + score.corroboratingWeight();
      return locked.suspend(reason, SYSTEM, true)
        .compose(v -> locked.log("suspend", reason, SYSTEM, true, null))
        .compose(v -> locked.reload());
    }
    if (after.suspension().filter(TrustStore.Suspension::automatic).isPresent() && !score.warrantsSuspension()) {
      String reason = "automatic: score " + score.total() + " with " + score.distinctReporters()
        + " distinct reporters weighing " + score.corroboratingWeight() + " no longer warrants suspension";
      return locked.unsuspend()
        .compose(v -> locked.log("unsuspend", reason, SYSTEM, true, null))
        .compose(v -> locked.reload());
    }
    return Future.succeededFuture(after);
  }

  private Future<Void> published(Outcome<?> outcome) {
    TrustStore.Snapshot before = outcome.before();
    TrustStore.Snapshot after = outcome.after();
    String change = before.suspended() == after.suspended() ? TrustEvents.SCORE
      : after.suspended() ? TrustEvents.SUSPENDED : TrustEvents.UNSUSPENDED;
    if (!change.equals(TrustEvents.SCORE)) {
      metrics.counter("auralink_trust_suspensions_total", "change", change, "entity_type", after.entity().type())
        .increment();
    }
    vertx.eventBus().publish(TrustEvents.CHANGED, after.entity().toJson()
      .put("change", change)
      .put("old_score", before.score().total())
      .put("score", after.score().total())
      .put("old_level", before.score().level().id())
      .put("level", after.score().level().id())
      .put("suspended", after.suspended())
      .put("suspension", after.suspension().map(TrustStore.Suspension::toJson).orElse(null))
      .put("version", after.version())
      .put("at", Instant.now().toString()));
    return sync.push(after);
  }

  // ---- shared steps -----------------------------------------------------------------------------------------

  private static Future<Void> moderator(Caller caller) {
    return caller.mayAny(TrustService.MODERATE, TrustService.ADMIN) ? Future.succeededFuture()
      : TrustError.FORBIDDEN.fail("moderation needs trust:moderate");
  }

  static Future<Void> reasonOf(String reason, String field) {
    return reason != null && !reason.isBlank() && reason.length() <= MAX_REASON ? Future.succeededFuture()
      : TrustError.VALIDATION_FAILED.fail(field + " is required: 1 to " + MAX_REASON + " characters", field(field));
  }

  private static Future<UUID> reportUuid(String reportId) {
    try {
      return Future.succeededFuture(UUID.fromString(reportId));
    } catch (IllegalArgumentException | NullPointerException e) {
      return noSuchReport();
    }
  }

  private static <T> Future<T> noSuchReport() {
    return TrustError.REPORT_NOT_FOUND.fail("no such report");
  }
}
