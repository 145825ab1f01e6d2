package io.auralink.comm.matrix;

import io.auralink.comm.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The homeserver's client-server endpoints the bridge calls as the Application Service (register, join, send, ping),
 * recording what it was sent; the real Synapse is exercised by {@code e2e/matrix-bridge.sh}.
 */
final class FakeHomeserver {

  static final String AS_TOKEN = "as-token-of-the-bridge";
  /** What this homeserver authenticates its transactions with. */
  static final String HS_TOKEN = "hs-token-of-the-homeserver";

  final Set<String> users = ConcurrentHashMap.newKeySet();
  /** {@code {room_id, user_id}} per join. */
  final List<JsonObject> joins = new CopyOnWriteArrayList<>();
  /** {@code {room_id, type, txn_id, user_id, content}} per event sent. */
  final List<JsonObject> sent = new CopyOnWriteArrayList<>();
  final List<JsonObject> pings = new CopyOnWriteArrayList<>();
  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;

  FakeHomeserver() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create());
    router.route().handler(ctx -> {
      if (!("Bearer " + AS_TOKEN).equals(ctx.request().getHeader("Authorization"))) {
        ctx.response().setStatusCode(401).end(new JsonObject().put("errcode", "M_UNKNOWN_TOKEN").encode());
      } else {
        ctx.next();
      }
    });
    router.post("/_matrix/client/v3/register").handler(ctx -> {
      String user = ctx.body().asJsonObject().getString("username");
      if (!users.add(user)) {
        ctx.response().setStatusCode(400).end(new JsonObject().put("errcode", "M_USER_IN_USE").encode());
        return;
      }
      ctx.json(new JsonObject().put("user_id", "@" + user + ":localhost"));
    });
    router.post("/_matrix/client/v3/join/:room").handler(ctx -> {
      joins.add(new JsonObject().put("room_id", ctx.pathParam("room")).put("user_id", ctx.queryParams().get("user_id")));
      ctx.json(new JsonObject().put("room_id", ctx.pathParam("room")));
    });
    router.put("/_matrix/client/v3/rooms/:room/send/:type/:txn").handler(ctx -> {
      sent.add(new JsonObject().put("room_id", ctx.pathParam("room")).put("type", ctx.pathParam("type"))
        .put("txn_id", ctx.pathParam("txn")).put("user_id", ctx.queryParams().get("user_id"))
        .put("content", ctx.body().asJsonObject()));
      ctx.json(new JsonObject().put("event_id", "$sent" + sent.size()));
    });
    router.post("/_matrix/client/v1/appservice/:id/ping").handler(ctx -> {
      pings.add(ctx.body().asJsonObject().put("as_id", ctx.pathParam("id")));
      ctx.json(new JsonObject().put("duration_ms", 3));
    });
    server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  /** The settings of a node whose Matrix bridge talks to this homeserver and listens for it on {@code asPort}. */
  void bridge(Map<String, String> settings, int asPort) {
    settings.put("AURALINK_MATRIX_HOMESERVER_URL", url());
    settings.put("AURALINK_MATRIX_AS_TOKEN", AS_TOKEN);
    settings.put("AURALINK_MATRIX_HS_TOKEN", HS_TOKEN);
    settings.put("AURALINK_MATRIX_SERVER_NAME", "localhost");
    settings.put("AURALINK_MATRIX_AS_HOST", "127.0.0.1");
    settings.put("AURALINK_MATRIX_AS_PORT", String.valueOf(asPort));
    settings.put("AURALINK_MATRIX_INTAKE_POLL_INTERVAL", "100ms");
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  List<JsonObject> sentOfType(String type) {
    return sent.stream().filter(e -> type.equals(e.getString("type"))).toList();
  }

  void close() {
    Await.result(vertx.close());
  }
}
