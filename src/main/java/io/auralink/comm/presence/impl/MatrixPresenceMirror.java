package io.auralink.comm.presence.impl;

import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Mirrors a person's published presence to their Matrix user when Matrix is configured: {@code PUT
 * /_matrix/client/v3/presence/{userId}/status?user_id={userId}} as the application service, {@code away},
 * {@code busy} and {@code dnd} becoming {@code unavailable} with the status message. Best effort: a failure is
 * counted and logged, and the next change mirrors the state again.
 */
final class MatrixPresenceMirror {

  private static final Logger LOG = LoggerFactory.getLogger(MatrixPresenceMirror.class);
  /** Reads the person's own profile, which names their Matrix user whatever their privacy level. */
  private static final Set<String> READER = Set.of(IdentityService.ADMIN);

  private final AppConfig.Matrix config;
  private final IdentityService identity;
  private final WebClient client;
  private final MeterRegistry metrics;

  private MatrixPresenceMirror(AppConfig.Matrix config, IdentityService identity, WebClient client,
                               MeterRegistry metrics) {
    this.config = config;
    this.identity = identity;
    this.client = client;
    this.metrics = metrics;
  }

  /** A mirror, or null when no homeserver is configured. */
  static MatrixPresenceMirror create(Vertx vertx, AppConfig.Matrix config, Transport transport, IdentityService identity,
                                     MeterRegistry metrics) {
    if (!config.provisioningEnabled()) {
      return null;
    }
    WebClient client = OutboundTls.webClient(vertx, transport,
      new WebClientOptions().setConnectTimeout((int) config.requestTimeout().toMillis()));
    return new MatrixPresenceMirror(config, identity, client, metrics);
  }

  /** Sends one published presence ({@link io.auralink.comm.presence.PresenceEvents} shape) to Matrix. */
  Future<Void> mirror(JsonObject presence) {
    String auraId = presence.getString("aura_id");
    Presences.State state = Presences.State.parse(presence.getString("state")).orElse(Presences.State.OFFLINE);
    return identity.resolve(auraId, Caller.service("presence", READER))
      .compose(profile -> {
        String matrixUser = profile.getString("matrix_user_id");
        if (matrixUser == null) {
          return Future.succeededFuture();
        }
        String user = URLEncoder.encode(matrixUser, StandardCharsets.UTF_8);
        JsonObject body = new JsonObject().put("presence", state.matrix());
        if (presence.getString("status_message") != null) {
          body.put("status_msg", presence.getString("status_message"));
        }
        return client.putAbs(config.homeserverUrl().orElseThrow() + "/_matrix/client/v3/presence/" + user
            + "/status?user_id=" + user)
          .bearerTokenAuthentication(config.asToken().orElseThrow())
          .timeout(config.requestTimeout().toMillis())
          .sendJsonObject(body)
          .compose(response -> response.statusCode() == 200 ? Future.<Void>succeededFuture()
            : Future.failedFuture("HTTP " + response.statusCode() + " " + response.bodyAsString()));
      })
      .onSuccess(done -> metrics.counter("auralink.presence.matrix.mirror", "outcome", "sent").increment())
      .onFailure(e -> {
        metrics.counter("auralink.presence.matrix.mirror", "outcome", "failed").increment();
        LOG.warn("Matrix presence not mirrored {} {}", kv("aura_id", auraId), kv("error", e.getMessage()));
      });
  }

  void close() {
    client.close();
  }
}
