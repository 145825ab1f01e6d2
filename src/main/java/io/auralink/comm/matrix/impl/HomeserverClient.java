package io.auralink.comm.matrix.impl;

import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The bridge acting toward the homeserver with its {@code as_token}: as one of its users ({@code ?user_id=}) it joins
 * rooms and sends call events; as itself it registers users and pings. Every method fails with a message naming the
 * homeserver's status and errcode when the answer is not a success.
 */
public final class HomeserverClient {

  private final AppConfig.Matrix config;
  private final WebClient client;

  public HomeserverClient(Vertx vertx, AppConfig.Matrix config, Transport transport) {
    this.config = config;
    this.client = OutboundTls.webClient(vertx, transport,
      new WebClientOptions().setConnectTimeout((int) config.requestTimeout().toMillis()));
  }

  /** Whether the homeserver's URL and {@code as_token} are configured; without them the bridge only listens. */
  boolean configured() {
    return config.homeserverUrl().isPresent() && config.asToken().isPresent();
  }

  /** Creates the user in the AS namespace; one that already exists counts as done. */
  Future<Void> register(String localpart) {
    JsonObject body = new JsonObject().put("type", "m.login.application_service").put("username", localpart)
      .put("inhibit_login", true);
    return post("/_matrix/client/v3/register", body)
      .compose(response -> response.statusCode() == 200 || "M_USER_IN_USE".equals(errcode(response))
        ? Future.succeededFuture() : Future.failedFuture(describe("register " + localpart, response)));
  }

  /** {@code userId} joins {@code roomId} (it was invited). */
  Future<Void> join(String userId, String roomId) {
    return post("/_matrix/client/v3/join/" + encode(roomId) + "?user_id=" + encode(userId), new JsonObject())
      .compose(response -> ok("join " + roomId + " as " + userId, response));
  }

  /**
   * Sends a room event as {@code userId}. The transaction id makes the send idempotent at the homeserver, so the
   * same effect retried (or attempted by two members) is one event.
   */
  Future<Void> send(String userId, String roomId, String type, String txnId, JsonObject content) {
    String path = "/_matrix/client/v3/rooms/" + encode(roomId) + "/send/" + encode(type) + "/" + encode(txnId)
      + "?user_id=" + encode(userId);
    return client.putAbs(base() + path).bearerTokenAuthentication(config.asToken().orElseThrow())
      .timeout(config.requestTimeout().toMillis()).sendJsonObject(content)
      .compose(response -> ok("send " + type + " as " + userId, response));
  }

  /** Asks the homeserver to ping us back, which also ends its back-off toward us; answers its {@code duration_ms}. */
  Future<Long> ping(String transactionId) {
    return post("/_matrix/client/v1/appservice/" + encode(config.asId()) + "/ping",
      new JsonObject().put("transaction_id", transactionId))
      .compose(response -> response.statusCode() == 200
        ? Future.succeededFuture(response.bodyAsJsonObject().getLong("duration_ms", 0L))
        : Future.failedFuture(describe("ping", response)));
  }

  void close() {
    client.close();
  }

  private Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
    return client.postAbs(base() + path).bearerTokenAuthentication(config.asToken().orElseThrow())
      .timeout(config.requestTimeout().toMillis()).sendJsonObject(body);
  }

  private String base() {
    return config.homeserverUrl().orElseThrow();
  }

  private static Future<Void> ok(String what, HttpResponse<Buffer> response) {
    return response.statusCode() == 200 ? Future.succeededFuture() : Future.failedFuture(describe(what, response));
  }

  static String errcode(HttpResponse<Buffer> response) {
    try {
      JsonObject body = response.bodyAsJsonObject();
      return body == null ? null : body.getString("errcode");
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static HomeserverException describe(String what, HttpResponse<Buffer> response) {
    return new HomeserverException(what + ": homeserver answered " + response.statusCode()
      + (errcode(response) == null ? "" : " " + errcode(response)), response.statusCode(), errcode(response));
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A refusal by the homeserver: 4xx ones other than 429 will not succeed on retry. */
  static final class HomeserverException extends RuntimeException {
    final int status;
    final String errcode;

    HomeserverException(String message, int status, String errcode) {
      super(message, null, false, false);
      this.status = status;
      this.errcode = errcode;
    }

    boolean permanent() {
      return status >= 400 && status < 500 && status != 429 && status != 408;
    }
  }
}
