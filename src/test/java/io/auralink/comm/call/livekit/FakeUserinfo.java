package io.auralink.comm.call.livekit;

import io.auralink.comm.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A homeserver's federation OpenID userinfo endpoint, as Synapse answers it: {@code 200 {"sub"}} for a known token,
 * {@code 401 M_UNKNOWN_TOKEN} otherwise. A token mapped to {@link #SILENT} is never answered (for timeouts).
 */
public final class FakeUserinfo implements AutoCloseable {

  public static final String SILENT = "<never answers>";

  public final Map<String, String> subjects = new ConcurrentHashMap<>();
  public final List<String> askedTokens = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  public FakeUserinfo(Vertx vertx) {
    server = Await.result(vertx.createHttpServer().requestHandler(request -> {
      if (!request.path().equals(OpenIdVerifier.USERINFO_PATH)) {
        request.response().setStatusCode(404).end(new JsonObject().put("errcode", "M_UNRECOGNIZED").encode());
        return;
      }
      String token = request.getParam("access_token");
      askedTokens.add(String.valueOf(token));
      String sub = token == null ? null : subjects.get(token);
      if (SILENT.equals(sub)) {
        return;
      }
      if (sub == null) {
        request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("errcode", "M_UNKNOWN_TOKEN").put("error", "Access Token unknown or expired")
            .encode());
        return;
      }
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("sub", sub).encode());
    }).listen(0, "127.0.0.1"));
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() {
    Await.result(server.close());
  }
}
