package io.auralink.comm.call.livekit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.Map;

/**
 * Verifies a Matrix OpenID token the way the federation API defines it: {@code GET
 * {homeserver}/_matrix/federation/v1/openid/userinfo?access_token=…} on the homeserver that issued it answers
 * {@code {"sub": "@user:server"}}, and {@code sub} must be on that server (gomatrixserverlib's {@code LookupUserInfo}
 * rule: a homeserver may only vouch for its own users).
 *
 * <p>Homeservers are found by configuration only ({@code server name → base URL}); there is no federation discovery
 * (well-known, SRV), so a token of a server that is not configured is refused without any request. Every refusal is
 * 401 {@code M_UNAUTHORIZED} with a message saying which step failed; the token itself never appears in a message.
 */
public final class OpenIdVerifier {

  public static final String USERINFO_PATH = "/_matrix/federation/v1/openid/userinfo";

  private final WebClient client;
  private final Map<String, String> homeservers;
  private final long timeoutMillis;

  /**
   * @param homeservers base URL (scheme, host, port, optional path prefix) per Matrix server name
   * @param timeout     bound on connecting to and hearing from the homeserver
   */
  public OpenIdVerifier(WebClient client, Map<String, String> homeservers, Duration timeout) {
    this.client = client;
    this.homeservers = Map.copyOf(homeservers);
    this.timeoutMillis = Math.max(1, timeout.toMillis());
  }

  /** The Matrix user id the token belongs to, vouched for by {@code serverName}'s homeserver. */
  public Future<String> verify(String accessToken, String serverName) {
    String base = homeservers.get(serverName);
    if (base == null) {
      return Future.failedFuture(MatrixError.unauthorized("OpenID tokens of " + serverName
        + " are not accepted here: only configured homeservers are asked"));
    }
    return client.getAbs(base.replaceAll("/+$", "") + USERINFO_PATH)
      .addQueryParam("access_token", accessToken)
      .connectTimeout(timeoutMillis)
      .timeout(timeoutMillis)
      .send()
      .recover(unreachable -> Future.failedFuture(MatrixError.unauthorized("The homeserver of " + serverName
        + " could not be asked to verify the OpenID token (" + describe(unreachable, timeoutMillis) + ")")))
      .map(response -> userOf(response, serverName));
  }

  private static String userOf(HttpResponse<Buffer> response, String serverName) {
    JsonObject body = jsonOrNull(response);
    if (response.statusCode() != 200) {
      String errcode = body == null ? null : body.getValue("errcode") instanceof String code ? code : null;
      throw MatrixError.unauthorized("The homeserver of " + serverName + " did not accept the OpenID token (HTTP "
        + response.statusCode() + (errcode == null ? "" : " " + errcode) + ")");
    }
    Object sub = body == null ? null : body.getValue("sub");
    if (!(sub instanceof String user) || !isUserId(user)) {
      throw MatrixError.unauthorized("The homeserver of " + serverName + " answered the OpenID check without a"
        + " Matrix user id");
    }
    if (!serverOf(user).equals(serverName)) {
      throw MatrixError.unauthorized("The OpenID token names " + user + ", who is not on " + serverName);
    }
    return user;
  }

  /** The server part of a Matrix user id: everything after the first colon ({@code @a:example.com:8448}). */
  public static String serverOf(String userId) {
    return userId.substring(userId.indexOf(':') + 1);
  }

  private static boolean isUserId(String user) {
    int colon = user.indexOf(':');
    return user.startsWith("@") && colon > 1 && colon < user.length() - 1;
  }

  private static JsonObject jsonOrNull(HttpResponse<Buffer> response) {
    try {
      return response.body() == null ? null : response.body().toJsonObject();
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  /** The kind of failure only: Vert.x's messages carry the request URL, and with it the token. */
  private static String describe(Throwable failure, long timeoutMillis) {
    return failure.getClass().getSimpleName().contains("Timeout")
      ? "no answer within " + timeoutMillis + " ms" : failure.getClass().getSimpleName();
  }
}
