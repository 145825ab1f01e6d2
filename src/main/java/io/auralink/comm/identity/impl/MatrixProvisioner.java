package io.auralink.comm.identity.impl;

import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.identity.IdentityEvents;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Creates each AuraID's Matrix user on the homeserver as the Application Service: {@code POST
 * /_matrix/client/v3/register} with {@code m.login.application_service} and the {@code as_token} (a user that
 * already exists counts as done), then sets its display name acting as that user ({@code ?user_id=}).
 * Provisioning never fails a registration: mappings wait as {@code pending} and a sweep, run after each
 * registration and every {@code AURALINK_MATRIX_RETRY_INTERVAL}, claims due ones and retries failures with
 * exponential backoff. Claims are leased rows, so several nodes sweep side by side without doing work twice.
 */
final class MatrixProvisioner {

  private static final Logger LOG = LoggerFactory.getLogger(MatrixProvisioner.class);
  private static final int BATCH = 20;

  private final Vertx vertx;
  private final AppConfig.Matrix config;
  private final IdentityStore store;
  private final ProfileCache cache;
  private final WebClient client;
  private boolean sweeping;
  private long timer = -1;

  MatrixProvisioner(Vertx vertx, AppConfig.Matrix config, Transport transport, IdentityStore store, ProfileCache cache) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.cache = cache;
    this.client = config.provisioningEnabled()
      ? OutboundTls.webClient(vertx, transport, new WebClientOptions().setConnectTimeout((int) config.requestTimeout().toMillis()))
      : null;
  }

  /** The Matrix user of a username: {@code @<username>_aura:<server_name>}. */
  String matrixUserId(String username) {
    return "@" + username + "_aura:" + config.serverName();
  }

  /** The state a new mapping starts in. */
  String initialState() {
    return config.provisioningEnabled() ? "pending" : "unconfigured";
  }

  void start() {
    if (config.provisioningEnabled()) {
      timer = vertx.setPeriodic(config.retryInterval().toMillis(), id -> sweep());
    }
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (client != null) {
      client.close();
    }
  }

  /** Provisions what is due now; one sweep at a time per verticle. */
  Future<Void> sweep() {
    if (!config.provisioningEnabled() || sweeping) {
      return Future.succeededFuture();
    }
    sweeping = true;
    long leaseSeconds = 2 * config.requestTimeout().toSeconds() + 10;
    return store.claimDue(BATCH, leaseSeconds)
      .compose(due -> Future.join(due.stream().map(this::provisionOne).toList()).map(all -> due.size()))
      .compose(count -> count == BATCH ? sweepAgain() : Future.<Void>succeededFuture())
      .onFailure(e -> LOG.warn("Matrix provisioning sweep failed {}", kv("error", e.getMessage())))
      .eventually(() -> {
        sweeping = false;
        return Future.succeededFuture();
      });
  }

  private Future<Void> sweepAgain() {
    sweeping = false;
    return sweep();
  }

  private Future<Void> provisionOne(IdentityStore.DueMapping due) {
    return register(due)
      .compose(registered -> setDisplayName(due))
      .compose(named -> store.provisioned(due.auraId()))
      // The provisioning state is part of the owner's view of the profile.
      .compose(stored -> cache.invalidate(List.of(due.auraId())))
      .onSuccess(done -> {
        LOG.info("Matrix user provisioned {} {}", kv("aura_id", due.auraId()), kv("matrix_user_id", due.matrixUserId()));
        vertx.eventBus().publish(IdentityEvents.CHANGED,
          IdentityEvents.changed(IdentityEvents.Kind.MATRIX_PROVISIONED, List.of(due.auraId()), "matrix-provisioner"));
      })
      .recover(e -> {
        OffsetDateTime next = OffsetDateTime.now(ZoneOffset.UTC).plus(backoff(due.attempts()));
        LOG.warn("Matrix provisioning failed; will retry {} {} {}", kv("aura_id", due.auraId()),
          kv("attempt", due.attempts()), kv("error", e.getMessage()));
        return store.provisioningFailed(due.auraId(), String.valueOf(e.getMessage()), next);
      });
  }

  /** Exponential from the retry interval, capped, with up to 20% jitter so that retries do not arrive in step. */
  Duration backoff(int attempts) {
    long base = config.retryInterval().toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
    long capped = Math.min(base, config.maxBackoff().toMillis());
    return Duration.ofMillis(capped + ThreadLocalRandom.current().nextLong(capped / 5 + 1));
  }

  private Future<Void> register(IdentityStore.DueMapping due) {
    JsonObject body = new JsonObject()
      .put("type", "m.login.application_service")
      .put("username", due.username() + "_aura")
      .put("inhibit_login", true);
    return client.postAbs(homeserver() + "/_matrix/client/v3/register")
      .bearerTokenAuthentication(config.asToken().orElseThrow())
      .timeout(config.requestTimeout().toMillis())
      .sendJsonObject(body)
      .compose(response -> response.statusCode() == 200 || "M_USER_IN_USE".equals(errcode(response))
        ? Future.succeededFuture()
        : Future.failedFuture(describe("register", response)));
  }

  private Future<Void> setDisplayName(IdentityStore.DueMapping due) {
    String user = URLEncoder.encode(due.matrixUserId(), StandardCharsets.UTF_8);
    return client.putAbs(homeserver() + "/_matrix/client/v3/profile/" + user + "/displayname?user_id=" + user)
      .bearerTokenAuthentication(config.asToken().orElseThrow())
      .timeout(config.requestTimeout().toMillis())
      .sendJsonObject(new JsonObject().put("displayname", due.displayName()))
      .compose(response -> response.statusCode() == 200
        ? Future.succeededFuture()
        : Future.failedFuture(describe("set display name", response)));
  }

  private String homeserver() {
    return config.homeserverUrl().orElseThrow();
  }

  private static String errcode(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject().getString("errcode");
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  private static String describe(String step, HttpResponse<Buffer> response) {
    String errcode = errcode(response);
    return step + ": HTTP " + response.statusCode() + (errcode == null ? "" : " " + errcode);
  }
}
