package io.auralink.comm.api;

import io.auralink.comm.platform.BuildInfo;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.Role;
import io.micrometer.core.instrument.Gauge;
import io.auralink.comm.platform.health.Readiness;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Health probes and Prometheus metrics, open without a token, and the health details, which need one: the open
 * answers say UP or DOWN per check and never why (an error names hosts and ports, the details a data directory).
 */
final class OperationsRoutes implements RouteGroup {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Platform platform;

  OperationsRoutes(Platform platform) {
    this.platform = platform;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.of(
      "healthLive", ctx -> Future.succeededFuture(Reply.ok(new JsonObject().put("status", "UP"))),
      "healthReady", ctx -> platform.readiness().report().map(report -> withStatus(Readiness.summary(report))),
      "healthSummary", ctx -> platform.readiness().report().map(report -> withStatus(Readiness.summary(report)
        .put("storage", platform.config().node().embeddedStorage() ? "embedded" : "external"))),
      "healthDetails", ctx -> platform.readiness().report().map(report -> withStatus(report.mergeIn(details()))),
      "metrics", ctx -> Future.succeededFuture(
        new Reply(200, Buffer.buffer(platform.metrics().scrape()), PROMETHEUS_TEXT)));
  }

  private static Reply withStatus(JsonObject report) {
    return Reply.json(Readiness.ready(report) ? 200 : 503, report);
  }

  private JsonObject details() {
    boolean embedded = platform.config().node().embeddedStorage();
    JsonObject details = new JsonObject()
      .put("service", BuildInfo.SERVICE)
      .put("version", BuildInfo.VERSION)
      .put("node_id", platform.cluster().getNodeId())
      .put("roles", new JsonArray(platform.config().node().roles().stream().map(Role::id).toList()))
      .put("storage", embedded ? "embedded" : "external")
      .put("storage_note", embedded
        ? "EMBEDDED development storage under " + platform.config().node().dataDir() + "; not for production"
        : "external PostgreSQL and Redis")
      .put("uptime_seconds", Duration.between(platform.startedAt(), Instant.now()).toSeconds());
    JsonObject matrix = matrixLink();
    return matrix == null ? details : details.put("matrix", matrix);
  }

  /** The Matrix bridge's homeserver link, read from the gauges it registers (null where the bridge does not run). */
  private JsonObject matrixLink() {
    Gauge lastTransaction = platform.metrics().find("auralink_matrix_last_transaction_age_seconds").gauge();
    if (lastTransaction == null) {
      return null;
    }
    return new JsonObject()
      .put("last_transaction_age_seconds", age(lastTransaction))
      .put("last_ping_age_seconds", age(platform.metrics().find("auralink_matrix_last_ping_age_seconds").gauge()))
      .put("queue_depth", (long) value("auralink_matrix_intake_queue_depth"))
      .put("oldest_event_age_seconds", value("auralink_matrix_intake_oldest_event_age_seconds"));
  }

  private double value(String gauge) {
    Gauge found = platform.metrics().find(gauge).gauge();
    return found == null ? 0 : found.value();
  }

  /** A gauge of seconds since something, where -1 means never. */
  private static Double age(Gauge gauge) {
    return gauge == null || gauge.value() < 0 ? null : gauge.value();
  }
}
