package io.auralink.comm.platform.crypto;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.config.ConfigException;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data at rest end to end, against real PostgreSQL: what the verification and notification domains write is sealed
 * (the raw rows never hold the plaintext), rows from before sealing are sealed by the background job, reads and
 * deliveries work from sealed values, a rotation to a new key rewrites every row while reads go on, a node whose
 * configuration dropped a key still in use refuses to start naming it, and a value moved to another row is refused.
 * One story on one database, in order: each step builds on the rows of the one before.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DataAtRestTest {

  private static final String K1 = "k1:" + key(0x11);
  private static final String K2 = "k2:" + key(0x22);
  private static final Pattern CODE = Pattern.compile("\\b([0-9]{6})\\b");
  /** Every sealed column, as {table, sealed column}. */
  private static final List<String[]> SEALED = List.of(
    new String[] {"verification_challenges", "destination_sealed"},
    new String[] {"verification_challenges", "oauth_verifier_sealed"},
    new String[] {"notification_apps", "signing_secret_sealed"},
    new String[] {"notification_channels", "pushkey_sealed"});
  /** The legacy plaintext columns the job empties, as {table, column}. */
  private static final List<String[]> PLAINTEXT = List.of(
    new String[] {"verification_challenges", "destination"},
    new String[] {"verification_challenges", "oauth_verifier"},
    new String[] {"verified_methods", "destination"},
    new String[] {"notification_apps", "signing_secret"},
    new String[] {"notification_channels", "pushkey"});

  private static GreenMail smtp;
  private static Vertx receiverVertx;
  private static HttpServer receiver;
  /** Everything the receiver took: {path, webhook-id, webhook-timestamp, webhook-signature, body}. */
  private static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private static Map<String, String> settings;
  private static String databaseUrl;
  private static Node node;
  private static Http http;
  private static Tokens tokens;

  private static String key(int fill) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) fill);
    return Base64.getEncoder().encodeToString(bytes);
  }

  @BeforeAll
  static void start() {
    int smtpPort = EmbeddedStores.freePort();
    smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    receiverVertx = Vertx.vertx();
    receiver = Await.result(receiverVertx.createHttpServer().requestHandler(request -> request.body()
        .onSuccess(body -> {
          received.add(new JsonObject().put("path", request.path())
            .put("id", request.getHeader("webhook-id")).put("timestamp", request.getHeader("webhook-timestamp"))
            .put("signature", request.getHeader("webhook-signature")).put("body", body.toString()));
          request.response().setStatusCode(request.path().startsWith("/push") ? 200 : 204)
            .end(request.path().startsWith("/push") ? "{\"rejected\":[]}" : "");
        }))
      .listen(0, "127.0.0.1"));
    settings = TestNodes.settings("data_at_rest");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    settings.put("AURALINK_SMTP_HOST", "127.0.0.1");
    settings.put("AURALINK_SMTP_PORT", String.valueOf(smtpPort));
    settings.put("AURALINK_SMTP_SECURITY", "none");
    settings.put("AURALINK_SMTP_FROM", "verify@auralink.test");
    settings.put("AURALINK_NOTIFICATION_POLL_INTERVAL", "100ms");
    settings.put("AURALINK_DATA_KEYS", K1);
    settings.put("AURALINK_DATA_RESEAL_INTERVAL", "300ms");
    settings.put("AURALINK_DATA_RESEAL_BATCH", "2");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    TestNodes.stop(node);
    if (receiverVertx != null) {
      Await.result(receiverVertx.close());
    }
    if (smtp != null) {
      smtp.stop();
    }
  }

  private static void restart(String dataKeys, String interval) {
    http.close();
    TestNodes.stop(node);
    node = null;
    node = TestNodes.start(fresh(dataKeys, interval));
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
  }

  /** The same database with other keys, on ports of its own (the last node's may have been taken meanwhile). */
  private static Map<String, String> fresh(String dataKeys, String interval) {
    settings.put("AURALINK_HTTP_PORT", String.valueOf(EmbeddedStores.freePort()));
    int clusterPort = EmbeddedStores.freePort();
    settings.put("AURALINK_CLUSTER_PORT", String.valueOf(clusterPort));
    settings.put("AURALINK_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort);
    Map<String, String> next = new HashMap<>(settings);
    next.put("AURALINK_DATA_KEYS", dataKeys);
    next.put("AURALINK_DATA_RESEAL_INTERVAL", interval);
    return next;
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static long sqlLong(String query) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError(query, e);
    }
  }

  private static List<String> sqlStrings(String query) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(query)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new AssertionError(query, e);
    }
  }

  private static void sql(String update) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement()) {
      s.executeUpdate(update);
    } catch (SQLException e) {
      throw new AssertionError(update, e);
    }
  }

  /** How many rows of the table hold {@code text} anywhere, in any column (the whole row as text). */
  private static long rowsHolding(String table, String text) {
    return sqlLong("SELECT count(*) FROM " + table + " t WHERE t::text LIKE '%" + text + "%'");
  }

  private static void assertNowhereInClear(String... texts) {
    for (String text : texts) {
      for (String table : List.of("verification_challenges", "verified_methods", "notification_apps",
        "notification_channels")) {
        assertEquals(0, rowsHolding(table, text), text + " is in clear in " + table);
      }
    }
  }

  private static long plaintextRows() {
    return PLAINTEXT.stream().mapToLong(c -> sqlLong("SELECT count(*) FROM " + c[0] + " WHERE " + c[1]
      + " IS NOT NULL")).sum();
  }

  /** Sealed values by the key id they name, over every sealed column. */
  private static Map<String, Long> sealedByKey() {
    Map<String, Long> byKey = new HashMap<>();
    for (String[] column : SEALED) {
      for (String value : sqlStrings("SELECT " + column[1] + " FROM " + column[0] + " WHERE " + column[1]
        + " IS NOT NULL")) {
        assertTrue(value.matches("^v1:k[12]:[A-Za-z0-9_-]+$"), column[0] + "." + column[1] + ": " + value);
        byKey.merge(value.split(":")[1], 1L, Long::sum);
      }
    }
    return byKey;
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static String register(String username) {
    return http.register(tokens.hs256(Tokens.service("dashboard", "identity:write")), username);
  }

  private static String mailedCode(String address) throws Exception {
    MimeMessage[] messages = smtp.getReceivedMessagesForDomain(address);
    assertEquals(1, messages.length, "one message for " + address);
    Matcher m = CODE.matcher(GreenMailUtil.getBody(messages[0]));
    assertTrue(m.find());
    return m.group(1);
  }

  private static String hook(String name) {
    return "http://127.0.0.1:" + receiver.actualPort() + "/" + name;
  }

  private static boolean signedWith(String secret, JsonObject delivery) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] expected = mac.doFinal((delivery.getString("id") + "." + delivery.getString("timestamp") + "."
      + delivery.getString("body")).getBytes(StandardCharsets.UTF_8));
    String signature = delivery.getString("signature");
    return signature != null && signature.startsWith("v1,")
      && MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)));
  }

  private static void notifyAll(String auraId, String id) {
    ok(http.post("/internal/notifications", tokens.hs256(Tokens.service("verifier", "notifications:write")),
      new JsonObject().put("aura_id", auraId).put("kind", "system").put("id", id)
        .put("data", new JsonObject().put("n", id))), 202);
  }

  private static List<JsonObject> receivedAt(String path, String notification) {
    return received.stream().filter(r -> r.getString("path").equals(path)
      && r.getString("body").contains("\"" + notification + "\"")).toList();
  }

  private static JsonObject apps(String auraId) {
    return ok(http.get("/internal/auraid/" + auraId + "/apps", user(auraId)), 200);
  }

  private static String pushkeyOf(JsonObject apps, String appId, String deviceId) {
    for (Object app : apps.getJsonArray("apps")) {
      JsonObject a = (JsonObject) app;
      if (a.getString("app_id").equals(appId)) {
        for (Object device : a.getJsonArray("devices")) {
          JsonObject d = (JsonObject) device;
          if (d.getString("device_id").equals(deviceId)) {
            return d.getJsonObject("channel").getString("pushkey");
          }
        }
      }
    }
    return null;
  }

  // ---- the story --------------------------------------------------------------------------------------------

  @Test
  void sensitive_columns_are_sealed_rotated_and_guarded() throws Exception {
    // 1. What the domains write is sealed under k1 and read back in clear through the API.
    String alice = register("atrest_alice");
    String bob = register("atrest_bob");
    String aliceMail = "alice.private@example.com";
    JsonObject challenge = ok(http.post("/internal/verifications", user(alice), new JsonObject()
      .put("aura_id", alice).put("method", "email").put("destination", aliceMail)), 201);
    ok(http.post("/internal/verifications/" + challenge.getString("id") + "/complete", user(alice),
      new JsonObject().put("code", mailedCode(aliceMail))), 200);
    JsonObject app = ok(http.post("/internal/auraid/" + alice + "/apps", user(alice), new JsonObject()
      .put("app_id", "chat").put("display_name", "Chat").put("devices", new JsonArray()
        .add(new JsonObject().put("device_id", "phone").put("channel", new JsonObject().put("type", "webhook")
          .put("url", hook("hooks/chat"))))
        .add(new JsonObject().put("device_id", "tablet").put("channel", new JsonObject()
          .put("type", "push_gateway").put("url", hook("push/chat")).put("pushkey", "pushkey-of-alice-tablet"))))),
      201);
    String secret = app.getString("signing_secret");
    assertNowhereInClear(aliceMail, secret.substring("whsec_".length()), "pushkey-of-alice-tablet");
    assertEquals(Map.of("k1", 3L), sealedByKey(), "destination, signing secret, pushkey");
    assertEquals("pushkey-of-alice-tablet", pushkeyOf(apps(alice), "chat", "tablet"));
    assertEquals("a***@example.com", ok(http.get("/internal/verifications?aura_id=" + alice, user(alice)), 200)
      .getJsonArray("verifications").getJsonObject(0).getString("destination"));
    // Equality goes through the digest: the address is taken for bob.
    HttpResponse<Buffer> taken = http.post("/internal/verifications", user(bob), new JsonObject()
      .put("aura_id", bob).put("method", "email").put("destination", "Alice.Private@example.com"));
    assertEquals(409, taken.statusCode(), taken.bodyAsString());
    assertEquals("DESTINATION_TAKEN", Http.error(taken).getString("code"));

    // 2. Rows from before sealing (plaintext, as V014 wrote them) are sealed and digested by the job.
    sql("INSERT INTO verification_challenges (id, aura_id, method, destination, status, max_attempts, expires_at,"
      + " completed_at, oauth_verifier) VALUES ('00000000-0000-0000-0000-000000000001', '@legacy_one.aura', 'email',"
      + " 'legacy.person@example.com', 'completed', 3, now() + interval '1 hour', now(), 'legacy-pkce-verifier')");
    sql("INSERT INTO verified_methods (aura_id, method, destination, challenge_id) VALUES ('@legacy_one.aura',"
      + " 'email', 'legacy.person@example.com', '00000000-0000-0000-0000-000000000001')");
    String legacySecret = "whsec_" + key(0x33);
    sql("INSERT INTO notification_apps (aura_id, app_id, display_name, signing_secret) VALUES ('" + alice
      + "', 'legacy', 'Legacy', '" + legacySecret + "')");
    sql("INSERT INTO notification_channels (aura_id, app_id, device_id, kind, url, pushkey) VALUES ('" + alice
      + "', 'legacy', 'desk', 'webhook', '" + hook("hooks/legacy") + "', NULL), ('" + alice
      + "', 'legacy', 'watch', 'push_gateway', '" + hook("push/legacy") + "', 'legacy-pushkey-of-watch')");
    Await.until(Duration.ofSeconds(30), "the job sealed every plaintext row", () -> plaintextRows() == 0);
    assertNowhereInClear(aliceMail, "legacy.person", "legacy-pkce-verifier", key(0x33), "legacy-pushkey-of-watch",
      "pushkey-of-alice-tablet", secret.substring("whsec_".length()));
    assertEquals(Map.of("k1", 7L), sealedByKey());
    assertEquals(0, sqlLong("SELECT count(*) FROM verified_methods WHERE destination_hmac IS NULL"));
    assertEquals("legacy-pushkey-of-watch", pushkeyOf(apps(alice), "legacy", "watch"));
    HttpResponse<Buffer> legacyTaken = http.post("/internal/verifications", user(bob), new JsonObject()
      .put("aura_id", bob).put("method", "email").put("destination", "legacy.person@example.com"));
    assertEquals(409, legacyTaken.statusCode(), "a legacy row's digest is what the lookup finds");

    // Deliveries open the sealed secrets: each app signs with its own, the pushkey reaches its gateway.
    notifyAll(alice, "before-rotation");
    Await.until(Duration.ofSeconds(20), "the four devices reached",
      () -> receivedAt("/hooks/chat", "before-rotation").size() == 1
        && receivedAt("/hooks/legacy", "before-rotation").size() == 1
        && receivedAt("/push/chat", "before-rotation").size() == 1
        && receivedAt("/push/legacy", "before-rotation").size() == 1);
    assertTrue(signedWith(secret, receivedAt("/hooks/chat", "before-rotation").get(0)));
    assertTrue(signedWith(legacySecret, receivedAt("/hooks/legacy", "before-rotation").get(0)));
    assertTrue(receivedAt("/push/legacy", "before-rotation").get(0).getString("body")
      .contains("legacy-pushkey-of-watch"));

    // 3. Rotation: k2 becomes current, k1 stays readable. Until the job's first pass every row is still under k1
    // and reads work; afterwards every row is under k2, new writes too, and reads still work.
    restart(K2 + "," + K1, "5s");
    assertEquals(Map.of("k1", 7L), sealedByKey(), "the job waits one interval after start");
    assertEquals("pushkey-of-alice-tablet", pushkeyOf(apps(alice), "chat", "tablet"), "read under k1");
    ok(http.post("/internal/auraid/" + bob + "/apps", user(bob), new JsonObject().put("app_id", "mail")
      .put("display_name", "Mail").put("devices", new JsonArray().add(new JsonObject().put("device_id", "laptop")
        .put("channel", new JsonObject().put("type", "push_gateway").put("url", hook("push/mail"))
          .put("pushkey", "pushkey-of-bob-laptop"))))), 201);
    assertEquals(Map.of("k1", 7L, "k2", 2L), sealedByKey(), "new writes use k2 at once");
    Await.until(Duration.ofSeconds(60), "every value re-encrypted under k2",
      () -> sealedByKey().equals(Map.of("k2", 9L)));
    assertEquals("pushkey-of-alice-tablet", pushkeyOf(apps(alice), "chat", "tablet"));
    assertEquals("legacy-pushkey-of-watch", pushkeyOf(apps(alice), "legacy", "watch"));
    assertEquals("pushkey-of-bob-laptop", pushkeyOf(apps(bob), "mail", "laptop"));
    assertEquals(409, http.post("/internal/verifications", user(bob), new JsonObject().put("aura_id", bob)
      .put("method", "email").put("destination", aliceMail)).statusCode(), "digests survive the rotation");
    notifyAll(alice, "after-rotation");
    Await.until(Duration.ofSeconds(20), "signed deliveries after the rotation",
      () -> receivedAt("/hooks/chat", "after-rotation").size() == 1
        && receivedAt("/hooks/legacy", "after-rotation").size() == 1);
    assertTrue(signedWith(secret, receivedAt("/hooks/chat", "after-rotation").get(0)));
    assertTrue(signedWith(legacySecret, receivedAt("/hooks/legacy", "after-rotation").get(0)));
    String metrics = http.get("/metrics").bodyAsString();
    Await.until(Duration.ofSeconds(10), "progress at 0 in /metrics", () -> http.get("/metrics").bodyAsString()
      .contains("auralink_data_sealing_pending_rows{column=\"signing_secret\",table=\"notification_apps\"} 0.0"));
    assertTrue(metrics.contains("auralink_data_sealed_rows_total"), "rewrites are counted");
    assertNowhereInClear(aliceMail, "legacy.person", "legacy-pkce-verifier", key(0x33), "legacy-pushkey-of-watch",
      "pushkey-of-alice-tablet", "pushkey-of-bob-laptop", secret.substring("whsec_".length()));

    // 4. A value moved to another row does not open: the delivery is dead-lettered, never signed with it.
    sql("UPDATE notification_apps SET signing_secret_sealed = (SELECT signing_secret_sealed FROM notification_apps"
      + " WHERE app_id = 'legacy') WHERE aura_id = '" + alice + "' AND app_id = 'chat'");
    notifyAll(alice, "after-swap");
    Await.until(Duration.ofSeconds(20), "the swapped app's delivery is dead", () -> sqlLong(
      "SELECT count(*) FROM notifications WHERE event_key LIKE '%after-swap%' AND app_id = 'chat' AND state = 'dead'"
        + " AND last_error LIKE '%sealed secret cannot be opened%'") == 2);
    assertEquals(0, receivedAt("/hooks/chat", "after-swap").size());

    // 5. A key dropped while values still name it: the node refuses to start, naming the key and the setting.
    http.close();
    TestNodes.stop(node);
    node = null;
    Map<String, String> dropped = fresh(K1, "5s");
    Throwable refused = assertThrows(Throwable.class, () -> node = TestNodes.start(dropped));
    while (!(refused instanceof ConfigException) && refused.getCause() != null) {
      refused = refused.getCause();
    }
    ConfigException e = assertInstanceOf(ConfigException.class, refused);
    assertEquals("AURALINK_DATA_KEYS", e.key());
    assertTrue(e.getMessage().contains("'k2'") && e.getMessage().contains("notification_apps.signing_secret_sealed"),
      e.getMessage());
    node = TestNodes.start(fresh(K2, "5s"));
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    assertEquals("pushkey-of-bob-laptop", pushkeyOf(apps(bob), "mail", "laptop"), "k1 is no longer needed");
  }
}
