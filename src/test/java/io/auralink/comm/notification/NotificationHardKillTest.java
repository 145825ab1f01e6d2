package io.auralink.comm.notification;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.auralink.comm.testing.cluster.NodeProcess;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hub member dies without closing anything — its JVM killed (SIGKILL) while its webhook requests for one event
 * are in flight and their rows leased to it, and a second event is queued behind them — and a member started
 * afterwards on the same PostgreSQL delivers both, the leased ones once the lease lapses: every (event, device)
 * reaches the receivers, none twice (the receivers count by {@code webhook-id}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class NotificationHardKillTest {

  /** Three destinations of four devices each: a destination's pool (5 connections) holds all of its requests. */
  private static final int RECEIVERS = 3;
  private static final int DEVICES_PER_RECEIVER = 4;

  @Test
  void deliveries_leased_by_a_killed_member_are_delivered_once_each_by_another_member() throws Exception {
    Vertx receiverVertx = Vertx.vertx();
    AtomicBoolean answering = new AtomicBoolean(false);
    Set<String> seenInFlight = ConcurrentHashMap.newKeySet();
    List<String> accepted = new CopyOnWriteArrayList<>();
    Handler<HttpServerRequest> receive = request -> {
      String id = request.getHeader("webhook-id");
      if (answering.get()) {
        accepted.add(id);
        request.response().setStatusCode(204).end();
      } else {
        // Never answered: the request stays in flight on the member that sent it, its row leased to that member.
        seenInFlight.add(id);
      }
    };
    // Several receivers: each destination has its own connection pool and circuit breaker, so that every delivery of
    // the first event can be in flight at once.
    List<Integer> receivers = new java.util.ArrayList<>();
    for (int i = 0; i < RECEIVERS; i++) {
      receivers.add(Await.result(receiverVertx.createHttpServer().requestHandler(receive).listen(0, "127.0.0.1"))
        .actualPort());
    }

    Map<String, String> doomed = hubSettings(TestNodes.settings("hub_killed"));
    String databaseUrl = doomed.get("AURALINK_DATABASE_URL");
    Node survivor = null;
    Vertx client = Vertx.vertx();
    try (NodeProcess process = new NodeProcess("hub_killed", Integer.parseInt(doomed.get("AURALINK_HTTP_PORT")), doomed,
        TestStores.tempDir().resolve("hard-kill-logs"))) {
      process.start();
      process.awaitReady(Duration.ofSeconds(120));
      Http http = new Http(client, Integer.parseInt(doomed.get("AURALINK_HTTP_PORT")));
      Tokens tokens = new Tokens(client);
      String auraId = http.register(tokens.hs256(Tokens.service("dashboard", "identity:write")), "hardkill");
      JsonArray devices = new JsonArray();
      for (int i = 0; i < RECEIVERS * DEVICES_PER_RECEIVER; i++) {
        devices.add(new JsonObject().put("device_id", "device-" + i).put("channel", new JsonObject()
          .put("type", "webhook").put("url", "http://127.0.0.1:" + receivers.get(i % RECEIVERS) + "/hook/" + i)));
      }
      assertEquals(201, http.post("/internal/auraid/" + auraId + "/apps", tokens.hs256(Tokens.user(auraId)),
        new JsonObject().put("app_id", "chat").put("display_name", "Chat").put("devices", devices)).statusCode());
      String sender = tokens.hs256(Tokens.service("verifier", "notifications:write"));
      int perEvent = RECEIVERS * DEVICES_PER_RECEIVER;
      assertEquals(202, http.post("/internal/notifications", sender, new JsonObject().put("aura_id", auraId)
        .put("kind", "system").put("id", "hard-kill-held")).statusCode());
      Await.until(Duration.ofSeconds(30), "every delivery of the first event in flight on the doomed member",
        () -> seenInFlight.size() == perEvent);
      assertEquals(perEvent, count(databaseUrl, "SELECT count(*) FROM notifications WHERE state = 'delivering'"),
        "the doomed member holds every delivery: " + states(databaseUrl));
      // Queued while the doomed member's worker waits for its receivers: it stays pending.
      assertEquals(202, http.post("/internal/notifications", sender, new JsonObject().put("aura_id", auraId)
        .put("kind", "system").put("id", "hard-kill-queued")).statusCode());
      int expected = 2 * perEvent;
      assertEquals(expected, count(databaseUrl, "SELECT count(*) FROM notifications"));
      http.close();

      process.kill();
      answering.set(true);
      Map<String, String> surviving = hubSettings(TestNodes.settings("hub_survivor"));
      surviving.put("AURALINK_DATABASE_URL", databaseUrl);
      surviving.put("AURALINK_REDIS_URL", doomed.get("AURALINK_REDIS_URL"));
      survivor = TestNodes.start(surviving);

      Await.until(Duration.ofSeconds(90), "every delivery recorded by the survivor", () -> count(databaseUrl,
        "SELECT count(*) FROM notifications WHERE state = 'delivered'") == expected);
      assertEquals(expected, accepted.size(), "each delivered once: " + accepted);
      assertEquals(expected, new HashSet<>(accepted).size(), "each delivered once: " + accepted);
      assertTrue(accepted.containsAll(seenInFlight), "the very deliveries the killed member held");
      assertEquals(perEvent, count(databaseUrl, "SELECT count(*) FROM notifications WHERE attempts = 2"),
        "those taken over after the killed member's attempt: " + states(databaseUrl));
    } finally {
      TestNodes.stop(survivor);
      Await.result(client.close());
      Await.result(receiverVertx.close());
    }
  }

  /** A quick worker whose lease (twice the request timeout and a second) outlasts the doomed member's requests. */
  private static Map<String, String> hubSettings(Map<String, String> settings) {
    Map<String, String> hub = new HashMap<>(settings);
    hub.put("AURALINK_NOTIFICATION_POLL_INTERVAL", "100ms");
    hub.put("AURALINK_NOTIFICATION_REQUEST_TIMEOUT", "15s");
    hub.put("AURALINK_NOTIFICATION_INITIAL_BACKOFF", "100ms");
    return hub;
  }

  private static String states(String databaseUrl) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement();
         ResultSet rows = s.executeQuery("SELECT state, attempts, last_error FROM notifications")) {
      StringBuilder all = new StringBuilder();
      while (rows.next()) {
        all.append(rows.getString(1)).append('/').append(rows.getInt(2)).append('/').append(rows.getString(3)).append("; ");
      }
      return all.toString();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(String databaseUrl, String sql) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement(); ResultSet row = s.executeQuery(sql)) {
      return row.next() ? row.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
