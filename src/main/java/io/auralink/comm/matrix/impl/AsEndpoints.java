package io.auralink.comm.matrix.impl;

import io.auralink.comm.platform.config.AppConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The Application Service API the homeserver calls, on the bridge's own listener: {@code PUT /transactions/{txnId}},
 * {@code POST /ping}, {@code GET /users/{userId}}, {@code GET /rooms/{alias}} under {@code /_matrix/app/v1} and at the
 * legacy unprefixed paths. Every request carries the {@code hs_token} ({@code Authorization: Bearer}, or the legacy
 * {@code access_token} parameter; both must agree when both are sent), compared in constant time: none is 401
 * {@code M_UNAUTHORIZED}, a wrong one 403 {@code M_FORBIDDEN}. Errors use Matrix's shape {@code {errcode, error}}.
 * A transaction is answered 200 {@code {}} as soon as its events are stored; processing comes after.
 */
final class AsEndpoints {

  private static final Logger LOG = LoggerFactory.getLogger(AsEndpoints.class);
  private static final String PREFIX = "/_matrix/app/v1";

  private final IntakeStore store;
  private final Membership membership;
  private final HomeserverClient homeserver;
  private final MatrixUsers users;
  private final LinkStatus link;
  private final Runnable nudge;
  private final AppConfig.MatrixBridge config;
  private final byte[] hsTokenDigest;
  private final Timer acknowledgements;
  private final MeterRegistry metrics;
  /** Answers of user queries: user id → whether it exists, with the time the answer expires. */
  private final Map<String, Map.Entry<Boolean, Long>> userAnswers = new HashMap<>();

  AsEndpoints(IntakeStore store, Membership membership, HomeserverClient homeserver, MatrixUsers users,
              LinkStatus link, Runnable nudge, AppConfig.MatrixBridge config, String hsToken, MeterRegistry metrics) {
    this.store = store;
    this.membership = membership;
    this.homeserver = homeserver;
    this.users = users;
    this.link = link;
    this.nudge = nudge;
    this.config = config;
    this.hsTokenDigest = sha256(hsToken);
    this.metrics = metrics;
    this.acknowledgements = Timer.builder("auralink_matrix_transaction_ack_seconds")
      .description("Time from a transaction's arrival to its durable acknowledgement").publishPercentileHistogram()
      .register(metrics);
  }

  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(this::authenticate);
    for (String prefix : new String[] {PREFIX, ""}) {
      router.put(prefix + "/transactions/:txnId").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
        .handler(this::transaction);
      router.get(prefix + "/users/:userId").handler(this::user);
      router.get(prefix + "/rooms/:alias").handler(ctx -> error(ctx, 404, "M_NOT_FOUND",
        "this bridge manages no room aliases"));
    }
    router.post(PREFIX + "/ping").handler(this::ping);
    router.errorHandler(404, ctx -> error(ctx, 404, "M_UNRECOGNIZED", "unknown endpoint"));
    router.errorHandler(405, ctx -> error(ctx, 405, "M_UNRECOGNIZED", "method not allowed on this endpoint"));
    router.errorHandler(400, ctx -> error(ctx, 400, "M_BAD_JSON", "malformed request"));
    router.errorHandler(413, ctx -> error(ctx, 413, "M_TOO_LARGE", "the body exceeds "
      + config.maxBodyBytes() + " bytes"));
    router.errorHandler(500, ctx -> {
      LOG.error("Application Service request failed {}", kv("path", ctx.normalizedPath()), ctx.failure());
      error(ctx, 500, "M_UNKNOWN", "internal error");
    });
    return router;
  }

  private void authenticate(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    String bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    String query = request.getParam("access_token");
    if (bearer == null && query == null) {
      error(ctx, 401, "M_UNAUTHORIZED", "the homeserver's hs_token is required (Authorization: Bearer)");
      return;
    }
    boolean agree = bearer == null || query == null || MessageDigest.isEqual(sha256(bearer), sha256(query));
    if (!agree || !MessageDigest.isEqual(sha256(bearer != null ? bearer : query), hsTokenDigest)) {
      error(ctx, 403, "M_FORBIDDEN", "the hs_token does not match this Application Service's");
      return;
    }
    ctx.next();
  }

  private void transaction(RoutingContext ctx) {
    long started = System.nanoTime();
    String txnId = ctx.pathParam("txnId");
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      error(ctx, 400, "M_NOT_JSON", "the body is not a JSON object");
      return;
    }
    if (body == null || !(body.getValue("events") instanceof JsonArray events)) {
      error(ctx, 400, "M_BAD_JSON", "events is required and must be an array");
      return;
    }
    store.accept(txnId, events)
      .onSuccess(added -> {
        link.transactionReceived();
        ok(ctx);
        acknowledgements.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        metrics.counter("auralink_matrix_transactions_total").increment();
        metrics.counter("auralink_matrix_events_received_total").increment(events.size());
        if (added > 0) {
          nudge.run();
        }
      })
      .onFailure(e -> {
        // Not acknowledged: the homeserver sends the same transaction again.
        LOG.warn("Matrix transaction not stored {} {}", kv("txn_id", txnId), kv("error", e.getMessage()));
        error(ctx, 503, "M_UNKNOWN", "the transaction could not be stored; send it again");
      });
  }

  private void user(RoutingContext ctx) {
    String userId = ctx.pathParam("userId");
    var auraId = users.auraId(userId);
    if (auraId.isEmpty()) {
      error(ctx, 404, "M_NOT_FOUND", "no such user in this bridge");
      return;
    }
    Map.Entry<Boolean, Long> cached = userAnswers.get(userId);
    Future<Boolean> exists = cached != null && cached.getValue() > System.currentTimeMillis()
      ? Future.succeededFuture(cached.getKey())
      : membership.exists(auraId.get())
        .compose(found -> found && homeserver.configured()
          ? homeserver.register(MatrixUsers.localpart(userId)).map(true) : Future.succeededFuture(found))
        .onSuccess(found -> {
          if (userAnswers.size() > 10_000) {
            userAnswers.clear();
          }
          userAnswers.put(userId, Map.entry(found, System.currentTimeMillis() + config.userCacheTtl().toMillis()));
        });
    exists.onSuccess(found -> {
      if (found) {
        ok(ctx);
      } else {
        error(ctx, 404, "M_NOT_FOUND", "no such user in this bridge");
      }
    }).onFailure(e -> {
      LOG.warn("Matrix user query failed {} {}", kv("user_id", userId), kv("error", e.getMessage()));
      error(ctx, 503, "M_UNKNOWN", "the user could not be looked up; ask again");
    });
  }

  private void ping(RoutingContext ctx) {
    LOG.info("Homeserver ping received");
    ok(ctx);
  }

  private static void ok(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{}");
  }

  private static void error(RoutingContext ctx, int status, String errcode, String message) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("errcode", errcode).put("error", message).encode());
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
