package io.auralink.comm.call.livekit;

import io.auralink.comm.call.MatrixRtcNames;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Element Call's exchange end to end against a real Synapse ({@code shared/peers/synapse.sh}): a user logs in and
 * gets an OpenID token the way Element Call does ({@code node/openid-token.mjs}, matrix-js-sdk), the exchange verifies
 * it at Synapse's real userinfo endpoint, and the LiveKit token it mints is accepted by LiveKit's own verifier.
 *
 * <p>How it runs: {@code mvn verify} runs it in the integration-test phase (surefire execution
 * {@code e2e-element-call}, skipped with {@code -De2e.skip=true} or {@code -DskipTests}) with
 * {@code auralink.e2e.synapse=required}: Synapse's Debian root is built if missing (about a minute, the first time on
 * a machine) and a Synapse that cannot be started fails the test. The plain {@code mvn test} leaves it out; by hand,
 * {@code mvn -o test -Dtest=ElementCallSynapseTest} runs it when the root exists and skips it, saying why,
 * otherwise. Synapse listens on {@code AURALINK_E2E_SYNAPSE_PORT} (default 8048, apart from the provisioning e2e's
 * 8038) and is stopped afterwards.
 */
class ElementCallSynapseTest {

  private static final Path PEERS = Path.of("../shared/peers");
  private static final String REQUIRED = "required";
  private static final String KEY = "APIelementcalle2e";
  private static final String SECRET = "element-call-e2e-secret-0123456789-abcdefgh";
  private static final String SERVER_NAME = "localhost";
  private static final String PORT = System.getenv().getOrDefault("AURALINK_E2E_SYNAPSE_PORT", "8048");
  private static final String AS_TOKEN = "e2e-as-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private static final String HS_TOKEN = "e2e-hs-" + Long.toHexString(ThreadLocalRandom.current().nextLong());

  private static Vertx vertx;
  private static String homeserver;
  private static final List<RoomCreator.Request> created = new CopyOnWriteArrayList<>();
  private static ElementCallExchange exchange;
  private static Node node;
  private static Http http;
  /** Why this machine cannot run the test (each test is then reported skipped with it), or null. */
  private static String skipped;

  private record Run(int exit, String out, String err) {
  }

  @BeforeAll
  @Timeout(value = 6, unit = TimeUnit.MINUTES) // the first start on a machine builds Synapse's root
  static void startSynapse() throws Exception {
    boolean required = REQUIRED.equals(System.getProperty("auralink.e2e.synapse",
      System.getenv().getOrDefault("AURALINK_E2E_SYNAPSE", "")));
    if (!Files.isExecutable(PEERS.resolve("synapse.sh"))) {
      skipped = "no Matrix peers at " + PEERS;
      return;
    }
    boolean root = run(List.of("id", "-u"), Map.of(), 10).out().trim().equals("0");
    Path synapseRoot = Path.of(System.getenv().getOrDefault("SYNAPSE_ROOT", "/var/tmp/auralink-synapse"));
    if (required && !root) {
      fail("Synapse runs in a chroot and needs root; run the suite without it: mvn -B verify -De2e.skip=true");
    }
    if (!root) {
      skipped = "Synapse runs in a chroot and needs root";
      return;
    }
    if (!required && !Files.isDirectory(synapseRoot.resolve("usr"))) {
      skipped = "Synapse's root " + synapseRoot + " is not built yet (mvn verify builds it, about a minute; or run"
        + " with -Dauralink.e2e.synapse=required)";
      return;
    }
    Run up = run(List.of("bash", PEERS.resolve("synapse.sh").toString(), "up"), Map.of(
      "SYNAPSE_PORT", PORT, "SYNAPSE_SERVER_NAME", SERVER_NAME, "AS_URL", "http://127.0.0.1:9",
      "AS_TOKEN", AS_TOKEN, "HS_TOKEN", HS_TOKEN), 300);
    if (up.exit() != 0) {
      fail("synapse.sh up failed (exit " + up.exit() + "):\n" + up.err());
    }
    homeserver = up.out().trim().lines().reduce((first, last) -> last).orElseThrow();

    vertx = Vertx.vertx();
    AppConfig.ElementCall config = new AppConfig.ElementCall(Map.of(SERVER_NAME, homeserver), Set.of(SERVER_NAME),
      Set.of(SERVER_NAME), List.of("*"), Duration.ofSeconds(5));
    OpenIdVerifier verifier = new OpenIdVerifier(WebClient.create(vertx), config.homeservers(),
      config.openIdTimeout());
    LiveKitTokens tokens = new LiveKitTokens(KEY, SECRET, Duration.ofMinutes(10), Duration.ofSeconds(10),
      Clock.systemUTC());
    exchange = new ElementCallExchange(config, SERVER_NAME, "ws://127.0.0.1:7880", tokens, verifier, request -> {
      created.add(request);
      return Future.succeededFuture();
    }, auraId -> Future.succeededFuture());

    // A node serving the exchange over HTTP, as Element Call reaches it. Join-only (its own server, the default
    // full-access one, is not localhost), so no LiveKit is needed to create rooms.
    Map<String, String> settings = TestNodes.settings("ecsynapse");
    settings.put("AURALINK_LIVEKIT_URL", "ws://127.0.0.1:7880");
    settings.put("AURALINK_LIVEKIT_API_KEY", KEY);
    settings.put("AURALINK_LIVEKIT_API_SECRET", SECRET);
    settings.put("AURALINK_ELEMENT_CALL_HOMESERVERS", SERVER_NAME + "=" + homeserver);
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
  }

  @BeforeEach
  void synapseIsUp() {
    assumeTrue(skipped == null, () -> "skipped: " + skipped);
  }

  @AfterAll
  static void stopSynapse() throws Exception {
    if (http != null) {
      http.close();
    }
    TestNodes.stop(node);
    if (vertx != null) {
      Await.result(vertx.close());
    }
    if (homeserver != null) {
      run(List.of("bash", PEERS.resolve("synapse.sh").toString(), "down"), Map.of("SYNAPSE_PORT", PORT), 60);
    }
  }

  /** A fresh password user and Element Call's view of it: its OpenID token and both exchange request bodies. */
  private static JsonObject elementCallUser(String room) throws Exception {
    String user = "ec" + Long.toHexString(System.nanoTime());
    Run registered = run(List.of("bash", PEERS.resolve("synapse.sh").toString(), "register", user, "pw-" + user),
      Map.of("SYNAPSE_PORT", PORT), 60);
    assertEquals(0, registered.exit(), registered.out() + registered.err());
    Run openId = run(List.of("bash", PEERS.resolve("node/run.sh").toString(), "openid-token.mjs", "--hs", homeserver,
      "--user", user, "--password", "pw-" + user, "--room", room), Map.of(), 180);
    assertEquals(0, openId.exit(), openId.err());
    return new JsonObject(openId.out().substring(openId.out().indexOf('{')));
  }

  private static JsonObject claims(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static void assertLiveKitAccepts(String jwt) throws Exception {
    Run verdict = run(List.of("bash", PEERS.resolve("node/run.sh").toString(), "livekit-verify.mjs", jwt, KEY, SECRET),
      Map.of(), 120);
    assertEquals(0, verdict.exit(), verdict.out() + verdict.err());
  }

  @Test
  void sfu_get_trades_a_real_openid_token_for_a_livekit_token() throws Exception {
    String room = "!e2e" + Long.toHexString(System.nanoTime()) + ":localhost";
    JsonObject user = elementCallUser(room);
    String userId = user.getString("user_id");
    ElementCallExchange.Grant grant = Await.result(exchange.sfuGet(
      user.getJsonObject("sfu_get_request").toBuffer()));
    assertEquals(userId, grant.matrixUserId(), "Synapse's userinfo vouched for the user");
    assertEquals(userId + ":" + user.getString("device_id"), grant.identity());
    assertEquals(MatrixRtcNames.room(room, MatrixRtcNames.LEGACY_SLOT), grant.room());
    assertEquals(grant.identity(), claims(grant.jwt()).getString("sub"));
    assertTrue(created.stream().anyMatch(request -> request.name().equals(grant.room())), "full access: created");
    assertLiveKitAccepts(grant.jwt());
  }

  @Test
  void the_nodes_http_endpoints_trade_a_real_openid_token_as_element_call_calls_them() throws Exception {
    String room = "!e2e" + Long.toHexString(System.nanoTime()) + ":localhost";
    JsonObject user = elementCallUser(room);
    HttpResponse<Buffer> legacy = http.post("/sfu/get", null, user.getJsonObject("sfu_get_request"));
    assertEquals(200, legacy.statusCode(), legacy.bodyAsString());
    assertEquals(Set.of("url", "jwt"), legacy.bodyAsJsonObject().fieldNames());
    assertEquals(user.getString("user_id") + ":" + user.getString("device_id"),
      claims(legacy.bodyAsJsonObject().getString("jwt")).getString("sub"));
    assertLiveKitAccepts(legacy.bodyAsJsonObject().getString("jwt"));

    HttpResponse<Buffer> rtc = http.post("/get_token", null, user.getJsonObject("get_token_request"));
    assertEquals(200, rtc.statusCode(), rtc.bodyAsString());
    assertLiveKitAccepts(rtc.bodyAsJsonObject().getString("jwt"));

    JsonObject forged = user.getJsonObject("sfu_get_request").copy();
    forged.getJsonObject("openid_token").put("access_token", "forged-" + System.nanoTime());
    HttpResponse<Buffer> refused = http.post("/sfu/get", null, forged);
    assertEquals(401, refused.statusCode());
    assertEquals("M_UNAUTHORIZED", refused.bodyAsJsonObject().getString("errcode"));
  }

  @Test
  void get_token_trades_a_real_openid_token_and_refuses_a_claim_on_someone_else() throws Exception {
    String room = "!e2e" + Long.toHexString(System.nanoTime()) + ":localhost";
    JsonObject user = elementCallUser(room);
    JsonObject body = user.getJsonObject("get_token_request");
    ElementCallExchange.Grant grant = Await.result(exchange.getToken(body.toBuffer()));
    assertEquals(MatrixRtcNames.identity(user.getString("user_id"), user.getString("device_id"),
      body.getJsonObject("member").getString("id")), grant.identity());
    assertEquals(MatrixRtcNames.room(room, MatrixRtcNames.LEGACY_SLOT), grant.room());
    assertLiveKitAccepts(grant.jwt());

    body.getJsonObject("member").put("claimed_user_id", "@someone-else:localhost");
    MatrixError claimed = (MatrixError) Await.failure(exchange.getToken(body.toBuffer()));
    assertEquals(401, claimed.status());
  }

  @Test
  void a_token_synapse_does_not_know_is_401_m_unauthorized() throws Exception {
    String room = "!e2e" + Long.toHexString(System.nanoTime()) + ":localhost";
    JsonObject body = elementCallUser(room).getJsonObject("sfu_get_request");
    body.getJsonObject("openid_token").put("access_token", "forged-" + System.nanoTime());
    MatrixError error = (MatrixError) Await.failure(exchange.sfuGet(body.toBuffer()));
    assertEquals(401, error.status());
    assertEquals("M_UNAUTHORIZED", error.errcode());
    assertTrue(error.getMessage().contains("M_UNKNOWN_TOKEN"), error.getMessage());
  }

  @Test
  void one_of_our_auraids_on_our_homeserver_gets_its_auraid_in_the_token() throws Exception {
    // Our AuraIDs are Application Service users (no password): their OpenID token is asked for with the as_token.
    String username = "e2e" + Long.toHexString(System.nanoTime()).substring(4);
    Run registered = run(List.of("bash", PEERS.resolve("synapse.sh").toString(), "as-register", username + "_aura"),
      Map.of("SYNAPSE_PORT", PORT), 60);
    assertEquals(0, registered.exit(), registered.out() + registered.err());
    String userId = "@" + username + "_aura:" + SERVER_NAME;
    String encoded = URLEncoder.encode(userId, StandardCharsets.UTF_8);
    JsonObject token = Await.result(WebClient.create(vertx)
      .postAbs(homeserver + "/_matrix/client/v3/user/" + encoded + "/openid/request_token?user_id=" + encoded)
      .bearerTokenAuthentication(AS_TOKEN).sendJsonObject(new JsonObject())).bodyAsJsonObject();
    JsonObject body = new JsonObject().put("room_id", "!aura:localhost").put("slot_id", "m.call#ROOM")
      .put("openid_token", token)
      .put("member", new JsonObject().put("id", "m1").put("claimed_user_id", userId).put("claimed_device_id", "D1"));
    ElementCallExchange.Grant grant = Await.result(exchange.getToken(Buffer.buffer(body.encode())));
    assertEquals(Optional.of("@" + username + ".aura"), grant.auraId());
    assertEquals("@" + username + ".aura", claims(grant.jwt()).getString("name"));
    assertLiveKitAccepts(grant.jwt());
  }

  private static Run run(List<String> command, Map<String, String> env, int timeoutSeconds)
    throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
    builder.environment().putAll(env);
    Path err = Files.createTempFile("element-call-e2e", ".err");
    try {
      Process process = builder.redirectError(err.toFile()).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail(command + " did not finish within " + timeoutSeconds + " s");
      }
      return new Run(process.exitValue(), out, Files.readString(err));
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
