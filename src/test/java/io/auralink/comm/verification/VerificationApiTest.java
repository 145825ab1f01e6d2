package io.auralink.comm.verification;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Verification through the HTTP API of one node, against real PostgreSQL and Redis, a real SMTP server (GreenMail)
 * and a local stand-in for Twilio's Messages API that checks each request as Twilio would.
 */
class VerificationApiTest {

  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final Pattern CODE = Pattern.compile("\\b([0-9]{6})\\b");
  private static final String SID = "AC0123456789abcdef0123456789abcdef";
  private static final String AUTH_TOKEN = "twilio-test-auth-token";
  private static final String INVALID_NUMBER = "+15005550001";
  private static final String UNSUBSCRIBED = "+15005550004";
  private static final String STRIPE_KEY = "sk_test_verification";
  private static final String STRIPE_WEBHOOK_SECRET = "whsec_test_0123456789";
  private static final String OAUTH_CLIENT = "auralink-test-client";
  private static String oauthCallbackUrl;
  /** The OAuth stand-in's issued codes (code → [code_challenge, subject]) and access tokens (token → subject). */
  private static final Map<String, String[]> oauthCodes = new ConcurrentHashMap<>();
  private static final Map<String, String> oauthTokens = new ConcurrentHashMap<>();
  private static final String LIVENESS_SECRET = "liveness-test-secret-0123456789-abcdef";

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String databaseUrl;
  private static String registrar;
  private static String callbackUrl;
  private static GreenMail smtp;
  private static HttpServer twilio;
  /** What the Twilio stand-in took: the message body by number, and each message's SID by number. */
  private static final Map<String, String> sms = new ConcurrentHashMap<>();
  private static final Map<String, String> smsSids = new ConcurrentHashMap<>();
  private static final ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
  private static MessageConsumer<JsonObject> listener;

  @BeforeAll
  static void start() {
    int smtpPort = EmbeddedStores.freePort();
    smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    Map<String, String> settings = TestNodes.settings("verification");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    int twilioPort = EmbeddedStores.freePort();
    callbackUrl = "http://127.0.0.1:" + settings.get("AURALINK_HTTP_PORT") + "/internal/verifications/webhooks/twilio";
    settings.put("AURALINK_SMTP_HOST", "127.0.0.1");
    settings.put("AURALINK_SMTP_PORT", String.valueOf(smtpPort));
    settings.put("AURALINK_SMTP_SECURITY", "none");
    settings.put("AURALINK_SMTP_FROM", "verify@auralink.test");
    settings.put("AURALINK_TWILIO_ACCOUNT_SID", SID);
    settings.put("AURALINK_TWILIO_AUTH_TOKEN", AUTH_TOKEN);
    settings.put("AURALINK_TWILIO_FROM", "+15005550006");
    settings.put("AURALINK_TWILIO_BASE_URL", "http://127.0.0.1:" + twilioPort);
    settings.put("AURALINK_TWILIO_STATUS_CALLBACK_URL", callbackUrl);
    settings.put("AURALINK_VERIFICATION_SWEEP_INTERVAL", "200ms");
    settings.put("AURALINK_STRIPE_SECRET_KEY", STRIPE_KEY);
    settings.put("AURALINK_STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET);
    settings.put("AURALINK_STRIPE_BASE_URL", "http://127.0.0.1:" + twilioPort);
    settings.put("AURALINK_LIVENESS_URL", "https://liveness.example/check");
    settings.put("AURALINK_LIVENESS_WEBHOOK_SECRET", LIVENESS_SECRET);
    String provider = "http://127.0.0.1:" + twilioPort + "/oauth/";
    oauthCallbackUrl = "http://127.0.0.1:" + settings.get("AURALINK_HTTP_PORT") + "/internal/verifications/oauth/callback";
    settings.put("AURALINK_OAUTH_PROVIDERS", "acme");
    settings.put("AURALINK_OAUTH_ACME_AUTHORIZE_URL", provider + "authorize");
    settings.put("AURALINK_OAUTH_ACME_TOKEN_URL", provider + "token");
    settings.put("AURALINK_OAUTH_ACME_USERINFO_URL", provider + "userinfo");
    settings.put("AURALINK_OAUTH_ACME_CLIENT_ID", OAUTH_CLIENT);
    settings.put("AURALINK_OAUTH_CALLBACK_URL", oauthCallbackUrl);
    node = TestNodes.start(settings);
    twilio = Await.result(node.vertx().createHttpServer().requestHandler(request -> {
        if (request.path().startsWith("/v1/")) {
          stripe(request);
        } else if (request.path().startsWith("/oauth/")) {
          oauth(request);
        } else {
          twilio(request);
        }
      })
      .listen(twilioPort, "127.0.0.1"));
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
    listener = node.vertx().eventBus().consumer(VerificationEvents.COMPLETED, m -> events.add(m.body()));
    Await.result(listener.completion());
  }

  @AfterAll
  static void stop() {
    if (listener != null) {
      Await.result(listener.unregister());
    }
    if (twilio != null) {
      Await.result(twilio.close());
    }
    http.close();
    TestNodes.stop(node);
    smtp.stop();
  }

  // ---- the Twilio stand-in ----------------------------------------------------------------------------------

  /** Answers as Twilio's Messages API does, refusing what Twilio would refuse. */
  private static void twilio(io.vertx.core.http.HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String expectedAuth = "Basic " + Base64.getEncoder().encodeToString((SID + ":" + AUTH_TOKEN)
        .getBytes(StandardCharsets.UTF_8));
      if (!expectedAuth.equals(request.getHeader("Authorization"))) {
        twilioError(request, 401, 20003, "Authenticate");
        return;
      }
      if (request.method() != HttpMethod.POST || !request.path().equals("/2010-04-01/Accounts/" + SID + "/Messages.json")
        || !String.valueOf(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded")) {
        twilioError(request, 404, 20404, "The requested resource was not found");
        return;
      }
      Map<String, String> form = parse(body.toString(StandardCharsets.UTF_8));
      String to = form.get("To");
      if (form.get("Body") == null || !"+15005550006".equals(form.get("From"))
        || !callbackUrl.equals(form.get("StatusCallback"))) {
        twilioError(request, 400, 21602, "Message body is required.");
      } else if (to == null || !to.matches("^\\+[1-9][0-9]{6,14}$") || to.equals(INVALID_NUMBER)) {
        twilioError(request, 400, 21211, "The 'To' number " + to + " is not a valid phone number.");
      } else if (to.equals(UNSUBSCRIBED)) {
        twilioError(request, 400, 21610, "Attempt to send to unsubscribed recipient");
      } else {
        String sid = "SM" + Integer.toHexString(NAMES.incrementAndGet()) + "0".repeat(30);
        sms.put(to, form.get("Body"));
        smsSids.put(to, sid);
        request.response().setStatusCode(201).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("sid", sid).put("account_sid", SID).put("to", to).put("status", "queued")
            .encode());
      }
    });
  }

  /**
   * Token and UserInfo endpoints as an OAuth 2.0 server with PKCE answers them: a code is single-use, bound to the
   * client and redirect URI, and only exchanged with the verifier whose S256 is its challenge.
   */
  private static void oauth(io.vertx.core.http.HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if (request.path().equals("/oauth/userinfo")) {
        String auth = String.valueOf(request.getHeader("Authorization"));
        String sub = auth.startsWith("Bearer ") ? oauthTokens.get(auth.substring(7)) : null;
        if (sub == null) {
          request.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"").end();
        } else {
          request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("sub", sub).put("name", "Someone").encode());
        }
        return;
      }
      Map<String, String> form = parse(body.toString(StandardCharsets.UTF_8));
      String[] issued = form.get("code") == null ? null : oauthCodes.remove(form.get("code"));
      String error = null;
      if (!"authorization_code".equals(form.get("grant_type"))) {
        error = "unsupported_grant_type";
      } else if (!OAUTH_CLIENT.equals(form.get("client_id"))) {
        error = "invalid_client";
      } else if (issued == null || !oauthCallbackUrl.equals(form.get("redirect_uri")) || form.get("code_verifier") == null
        || !issued[0].equals(io.auralink.comm.verification.channels.SocialOAuth.s256(form.get("code_verifier")))) {
        error = "invalid_grant";
      }
      if (error != null) {
        request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", error).encode());
        return;
      }
      String token = "at-" + NAMES.incrementAndGet();
      oauthTokens.put(token, issued[1]);
      request.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("access_token", token).put("token_type", "Bearer").put("expires_in", 3600).encode());
    });
  }

  /** Answers as Stripe's verification_sessions API does for a document session. */
  private static void stripe(io.vertx.core.http.HttpServerRequest request) {
    request.body().onSuccess(body -> {
      Map<String, String> form = parse(body.toString(StandardCharsets.UTF_8));
      JsonObject answer;
      int status;
      if (!("Bearer " + STRIPE_KEY).equals(request.getHeader("Authorization"))) {
        status = 401;
        answer = new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
          .put("message", "Invalid API Key provided"));
      } else if (!request.path().equals("/v1/identity/verification_sessions") || !"document".equals(form.get("type"))
        || form.get("metadata[challenge_id]") == null) {
        status = 400;
        answer = new JsonObject().put("error", new JsonObject().put("type", "invalid_request_error")
          .put("code", "parameter_missing").put("message", "Missing required param: type."));
      } else {
        status = 200;
        String id = "vs_" + NAMES.incrementAndGet();
        answer = new JsonObject().put("id", id).put("object", "identity.verification_session")
          .put("client_secret", id + "_secret_never_log").put("url", "https://verify.stripe.com/start/" + id)
          .put("status", "requires_input").put("type", "document")
          .put("metadata", new JsonObject().put("challenge_id", form.get("metadata[challenge_id]")));
      }
      request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(answer.encode());
    });
  }

  private static void twilioError(io.vertx.core.http.HttpServerRequest request, int status, int code, String message) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("code", code).put("message", message).put("status", status)
        .put("more_info", "https://www.twilio.com/docs/errors/" + code).encode());
  }

  private static Map<String, String> parse(String form) {
    Map<String, String> values = new TreeMap<>();
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return values;
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String register() {
    String username = "v_" + NAMES.incrementAndGet();
    return http.register(registrar, username);
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static String email() {
    return "person" + NAMES.incrementAndGet() + "@example.com";
  }

  private static String phone() {
    return "+1415555" + String.format("%04d", NAMES.incrementAndGet());
  }

  private static HttpResponse<Buffer> start(String auraId, String method, String destination) {
    JsonObject body = new JsonObject().put("aura_id", auraId).put("method", method);
    if (destination != null) {
      body.put("destination", destination);
    }
    return http.post("/internal/verifications", user(auraId), body);
  }

  private static JsonObject started(String auraId, String method, String destination) {
    HttpResponse<Buffer> response = start(auraId, method, destination);
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> complete(String auraId, String id, String code) {
    return http.post("/internal/verifications/" + id + "/complete", user(auraId), new JsonObject().put("code", code));
  }

  /** The code in the one message GreenMail received for this address. */
  private static String mailedCode(String address) throws Exception {
    MimeMessage[] messages = smtp.getReceivedMessagesForDomain(address);
    assertEquals(1, messages.length, "one message for " + address);
    assertEquals("Your AuraLink verification code", messages[0].getSubject());
    return code(GreenMailUtil.getBody(messages[0]));
  }

  private static String code(String text) {
    Matcher m = CODE.matcher(text);
    assertTrue(m.find(), text);
    return m.group(1);
  }

  private static String wrong(String code) {
    return String.format("%06d", (Integer.parseInt(code) + 1) % 1_000_000);
  }

  private static long sqlLong(String query) throws SQLException {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(query)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  private static void sql(String update) throws SQLException {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement()) {
      s.executeUpdate(update);
    }
  }

  private static JsonObject trustOf(String auraId) {
    HttpResponse<Buffer> response = http.get("/internal/trust/aura_id/" + auraId, user(auraId));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static String signature(String url, Map<String, String> params) throws Exception {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(AUTH_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static HttpResponse<Buffer> statusCallback(Map<String, String> params, String signature) {
    StringBuilder body = new StringBuilder();
    params.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
      .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    var request = http.request(HttpMethod.POST, "/internal/verifications/webhooks/twilio")
      .putHeader("Content-Type", "application/x-www-form-urlencoded");
    if (signature != null) {
      request.putHeader("X-Twilio-Signature", signature);
    }
    return Await.result(request.sendBuffer(Buffer.buffer(body.toString())));
  }

  private static HttpResponse<Buffer> stripeEvent(String body, String signature) {
    var request = http.request(HttpMethod.POST, "/internal/verifications/webhooks/stripe")
      .putHeader("Content-Type", "application/json");
    if (signature != null) {
      request.putHeader("Stripe-Signature", signature);
    }
    return Await.result(request.sendBuffer(Buffer.buffer(body)));
  }

  private static String stripeSignature(String body, long timestamp) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(STRIPE_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "t=" + timestamp + ",v1=" + java.util.HexFormat.of()
      .formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
  }

  private static String event(String eventId, String type, String sessionId) {
    return new JsonObject().put("id", eventId).put("object", "event").put("type", type)
      .put("data", new JsonObject().put("object", new JsonObject().put("id", sessionId)
        .put("object", "identity.verification_session")
        .put("last_error", type.endsWith("requires_input")
          ? new JsonObject().put("code", "document_expired") : null)))
      .encode();
  }

  private static HttpResponse<Buffer> liveness(String body, String signature) {
    var request = http.request(HttpMethod.POST, "/internal/verifications/webhooks/liveness")
      .putHeader("Content-Type", "application/json");
    if (signature != null) {
      request.putHeader("X-Liveness-Signature", signature);
    }
    return Await.result(request.sendBuffer(Buffer.buffer(body)));
  }

  private static String livenessSignature(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(LIVENESS_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  // ---- email ------------------------------------------------------------------------------------------------

  @Test
  void an_emailed_code_completes_once_raises_trust_once_and_is_idempotent() throws Exception {
    String auraId = register();
    long scoreBefore = trustOf(auraId).getLong("score");
    String address = email();
    JsonObject challenge = started(auraId, "email", address);
    assertEquals("pending", challenge.getString("status"));
    assertEquals("p***@example.com", challenge.getString("destination"));
    assertEquals(3, challenge.getInteger("attempts_left"));
    String code = mailedCode(address);
    assertFalse(challenge.encode().contains(code), "the answer never carries the code");
    assertEquals(0, sqlLong("SELECT count(*) FROM verification_challenges WHERE encode(code_hash, 'escape') LIKE '%"
      + code + "%'"), "the code is not stored in clear");

    HttpResponse<Buffer> done = complete(auraId, challenge.getString("id"), code);
    assertEquals(200, done.statusCode(), done.bodyAsString());
    assertEquals("completed", done.bodyAsJsonObject().getString("status"));
    assertTrue(done.bodyAsJsonObject().getBoolean("first"));
    JsonObject trust = trustOf(auraId);
    assertTrue(trust.getJsonObject("components").getJsonArray("verifications").contains("email"), trust.encode());
    long scoreAfter = trust.getLong("score");
    assertTrue(scoreAfter > scoreBefore, scoreBefore + " -> " + scoreAfter);
    HttpResponse<Buffer> profile = http.get("/internal/auraid/" + auraId, user(auraId));
    assertEquals(true, profile.bodyAsJsonObject().getBoolean("verified"), profile.bodyAsString());

    HttpResponse<Buffer> again = complete(auraId, challenge.getString("id"), code);
    assertEquals(200, again.statusCode(), again.bodyAsString());
    assertEquals("completed", again.bodyAsJsonObject().getString("status"));

    // A second address for the same method completes, and adds nothing to trust.
    String second = email();
    JsonObject other = started(auraId, "email", second);
    HttpResponse<Buffer> secondDone = complete(auraId, other.getString("id"), mailedCode(second));
    assertEquals(200, secondDone.statusCode(), secondDone.bodyAsString());
    assertFalse(secondDone.bodyAsJsonObject().getBoolean("first"));
    assertEquals(scoreAfter, trustOf(auraId).getLong("score"));
    assertEquals(2, events.stream().filter(e -> e.getString("aura_id").equals(auraId)).count());
    String metrics = http.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("auralink_verifications_total{method=\"email\",outcome=\"completed\"}"), metrics);

    // The verified address is this AuraID's now: another may not verify it (AURALINK_VERIFICATION_SHARED_EMAIL).
    HttpResponse<Buffer> taken = start(register(), "email", address);
    assertEquals(409, taken.statusCode(), taken.bodyAsString());
    assertEquals("DESTINATION_TAKEN", Http.error(taken).getString("code"));
    assertEquals(1, events.stream().filter(e -> e.getString("aura_id").equals(auraId) && e.getBoolean("first")).count());
  }

  @Test
  void three_wrong_codes_lock_the_challenge_and_each_is_stored_before_the_answer() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    String code = mailedCode(address);
    for (int left = 2; left >= 0; left--) {
      HttpResponse<Buffer> response = complete(auraId, id, wrong(code));
      assertEquals(400, response.statusCode(), response.bodyAsString());
      assertEquals("INVALID_CODE", Http.error(response).getString("code"));
      assertEquals(left, Http.error(response).getJsonObject("details").getInteger("attempts_left"));
      assertEquals(3 - left, sqlLong("SELECT attempts FROM verification_challenges WHERE id = '" + id + "'"),
        "the attempt was stored when it was answered");
    }
    HttpResponse<Buffer> locked = complete(auraId, id, code);
    assertEquals(409, locked.statusCode(), locked.bodyAsString());
    assertEquals("CHALLENGE_STATE", Http.error(locked).getString("code"));
    assertEquals("exhausted", Http.error(locked).getJsonObject("details").getString("status"));
    assertEquals(0, sqlLong("SELECT count(*) FROM verified_methods WHERE aura_id = '" + auraId + "'"));
  }

  @Test
  void an_attempt_stays_counted_when_the_request_fails_after_counting() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    String code = mailedCode(address);
    // A caller that gives up after 1 ms: its request fails, the attempt it made does not go away.
    VerificationService impatient = VerificationService.proxy(node.vertx(), 1);
    Throwable failure = Await.failure(impatient.complete(id, wrong(code),
      io.auralink.comm.platform.Caller.person(auraId)));
    assertNotNull(failure);
    long deadline = System.currentTimeMillis() + 5_000;
    while (sqlLong("SELECT attempts FROM verification_challenges WHERE id = '" + id + "'") < 1) {
      assertTrue(System.currentTimeMillis() < deadline, "the attempt was counted");
      Thread.sleep(20);
    }
    HttpResponse<Buffer> next = complete(auraId, id, wrong(code));
    assertEquals(1, Http.error(next).getJsonObject("details").getInteger("attempts_left"));
  }

  @Test
  void a_malformed_code_is_refused_without_counting_an_attempt() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    HttpResponse<Buffer> malformed = complete(auraId, id, "12ab56");
    assertEquals(400, malformed.statusCode(), malformed.bodyAsString());
    assertEquals("VALIDATION_FAILED", Http.error(malformed).getString("code"));
    assertEquals("code", Http.error(malformed).getJsonObject("details").getString("field"));
    assertEquals(0, sqlLong("SELECT attempts FROM verification_challenges WHERE id = '" + id + "'"));
    assertEquals(404, complete(auraId, java.util.UUID.randomUUID().toString(), "123456").statusCode());
  }

  @Test
  void concurrent_guesses_never_get_more_than_three_attempts() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    String code = mailedCode(address);
    String token = user(auraId);
    List<Future<HttpResponse<Buffer>>> guesses = IntStream.range(0, 10)
      .mapToObj(i -> http.request(HttpMethod.POST, "/internal/verifications/" + id + "/complete")
        .bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("code", String.format("%06d", (Integer.parseInt(code) + 1 + i) % 1_000_000))))
      .toList();
    Await.result(Future.join(guesses));
    assertEquals(3, guesses.stream().filter(g -> g.result().statusCode() == 400).count());
    assertEquals(3, sqlLong("SELECT attempts FROM verification_challenges WHERE id = '" + id + "'"));
    assertEquals(409, complete(auraId, id, code).statusCode());
  }

  @Test
  void an_expired_challenge_never_completes_and_is_swept() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    String code = mailedCode(address);
    sql("UPDATE verification_challenges SET expires_at = now() - interval '1 second' WHERE id = '" + id + "'");
    HttpResponse<Buffer> late = complete(auraId, id, code);
    assertEquals(410, late.statusCode(), late.bodyAsString());
    assertEquals("CHALLENGE_EXPIRED", Http.error(late).getString("code"));
    assertEquals(0, sqlLong("SELECT attempts FROM verification_challenges WHERE id = '" + id + "'"));
    long deadline = System.currentTimeMillis() + 10_000;
    while (sqlLong("SELECT count(*) FROM verification_challenges WHERE id = '" + id + "' AND status = 'expired'") == 0) {
      assertTrue(System.currentTimeMillis() < deadline, "the sweep expires the challenge");
      Thread.sleep(100);
    }
    assertEquals(410, complete(auraId, id, code).statusCode());
  }

  @Test
  void the_sweep_records_a_completion_whose_record_was_lost_and_tells_trust() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    assertEquals(200, complete(auraId, id, mailedCode(address)).statusCode());
    // As if the node had failed between completing the challenge and recording the method.
    sql("DELETE FROM verified_methods WHERE aura_id = '" + auraId + "'");
    long deadline = System.currentTimeMillis() + 10_000;
    while (sqlLong("SELECT count(*) FROM verified_methods WHERE aura_id = '" + auraId
      + "' AND method = 'email' AND trust_recorded AND challenge_id = '" + id + "'") == 0) {
      assertTrue(System.currentTimeMillis() < deadline, "the sweep records the method and tells trust");
      Thread.sleep(100);
    }
  }

  @Test
  void a_cancelled_challenge_never_completes() throws Exception {
    String auraId = register();
    String address = email();
    String id = started(auraId, "email", address).getString("id");
    String code = mailedCode(address);
    HttpResponse<Buffer> cancelled = http.send(HttpMethod.DELETE, "/internal/verifications/" + id, user(auraId), null);
    assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
    assertEquals("cancelled", cancelled.bodyAsJsonObject().getString("status"));
    HttpResponse<Buffer> after = complete(auraId, id, code);
    assertEquals(409, after.statusCode());
    assertEquals("cancelled", Http.error(after).getJsonObject("details").getString("status"));
    assertEquals(409, http.send(HttpMethod.DELETE, "/internal/verifications/" + id, user(auraId), null).statusCode());
  }

  @Test
  void a_person_cannot_start_complete_cancel_or_list_another_persons_verification() throws Exception {
    String alice = register();
    String mallory = register();
    HttpResponse<Buffer> foreign = http.post("/internal/verifications", user(mallory),
      new JsonObject().put("aura_id", alice).put("method", "email").put("destination", email()));
    assertEquals(403, foreign.statusCode(), foreign.bodyAsString());
    assertEquals("aura_id", Http.error(foreign).getJsonObject("details").getString("field"));

    String address = email();
    String id = started(alice, "email", address).getString("id");
    String code = mailedCode(address);
    assertEquals(403, complete(mallory, id, code).statusCode());
    assertEquals(0, sqlLong("SELECT attempts FROM verification_challenges WHERE id = '" + id + "'"));
    assertEquals(403, http.send(HttpMethod.DELETE, "/internal/verifications/" + id, user(mallory), null).statusCode());
    assertEquals(403, http.get("/internal/verifications?aura_id=" + alice, user(mallory)).statusCode());

    // A service needs verification:write to start and verification:read to list.
    String reader = tokens.hs256(Tokens.service("dash", "verification:read"));
    String writer = tokens.hs256(Tokens.service("onboarding", "verification:write"));
    assertEquals(403, http.post("/internal/verifications", reader,
      new JsonObject().put("aura_id", alice).put("method", "email").put("destination", email())).statusCode());
    assertEquals(200, http.get("/internal/verifications?aura_id=" + alice, reader).statusCode());
    HttpResponse<Buffer> byService = http.post("/internal/verifications/" + id + "/complete", writer,
      new JsonObject().put("code", code));
    assertEquals(200, byService.statusCode(), byService.bodyAsString());
  }

  @Test
  void sends_are_throttled_per_destination_and_per_aura_id_with_retry_after() {
    String auraId = register();
    String address = email();
    started(auraId, "email", address);
    HttpResponse<Buffer> again = start(auraId, "email", address);
    assertEquals(429, again.statusCode(), again.bodyAsString());
    assertEquals("RATE_LIMITED", Http.error(again).getString("code"));
    assertEquals("destination", Http.error(again).getJsonObject("details").getString("limit"));
    int retryAfter = Integer.parseInt(again.getHeader("Retry-After"));
    assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);

    for (int i = 0; i < 4; i++) {
      started(auraId, "email", email());
    }
    HttpResponse<Buffer> sixth = start(auraId, "email", email());
    assertEquals(429, sixth.statusCode(), sixth.bodyAsString());
    assertEquals("aura_id", Http.error(sixth).getJsonObject("details").getString("limit"));
    assertNotNull(sixth.getHeader("Retry-After"));
  }

  @Test
  void the_list_is_newest_first_masked_and_paged() {
    String auraId = register();
    String first = started(auraId, "email", email()).getString("id");
    String second = started(auraId, "email", email()).getString("id");
    String third = started(auraId, "phone", phone()).getString("id");
    HttpResponse<Buffer> page = http.get("/internal/verifications?aura_id=" + auraId + "&limit=2", user(auraId));
    assertEquals(200, page.statusCode(), page.bodyAsString());
    JsonObject body = page.bodyAsJsonObject();
    assertEquals(List.of(third, second), body.getJsonArray("verifications").stream()
      .map(v -> ((JsonObject) v).getString("id")).toList());
    assertTrue(((JsonObject) body.getJsonArray("verifications").getValue(0)).getString("destination")
      .matches("^\\+1\\*+[0-9]{4}$"));
    assertFalse(body.encode().contains("code_hash"));
    HttpResponse<Buffer> next = http.get("/internal/verifications?aura_id=" + auraId + "&limit=2&cursor="
      + body.getString("next_cursor"), user(auraId));
    assertEquals(200, next.statusCode(), next.bodyAsString());
    assertEquals(List.of(first), next.bodyAsJsonObject().getJsonArray("verifications").stream()
      .map(v -> ((JsonObject) v).getString("id")).toList());
    assertNull(next.bodyAsJsonObject().getString("next_cursor"));
  }

  // ---- phone ------------------------------------------------------------------------------------------------

  @Test
  void an_sms_code_through_twilio_completes_and_the_number_is_then_taken() throws Exception {
    String auraId = register();
    String number = phone();
    JsonObject challenge = started(auraId, "phone", number);
    assertEquals("+1******" + number.substring(number.length() - 4), challenge.getString("destination"));
    String code = code(sms.get(number));
    HttpResponse<Buffer> done = complete(auraId, challenge.getString("id"), code);
    assertEquals(200, done.statusCode(), done.bodyAsString());
    assertTrue(trustOf(auraId).getJsonObject("components").getJsonArray("verifications").contains("phone"));

    String other = register();
    HttpResponse<Buffer> taken = start(other, "phone", number);
    assertEquals(409, taken.statusCode(), taken.bodyAsString());
    assertEquals("DESTINATION_TAKEN", Http.error(taken).getString("code"));
  }

  @Test
  void numbers_twilio_refuses_are_clear_errors_and_nothing_is_called_sent() throws Exception {
    String auraId = register();
    HttpResponse<Buffer> invalid = start(auraId, "phone", INVALID_NUMBER);
    assertEquals(422, invalid.statusCode(), invalid.bodyAsString());
    assertEquals("DESTINATION_REJECTED", Http.error(invalid).getString("code"));
    assertEquals("invalid_number", Http.error(invalid).getJsonObject("details").getString("reason"));
    HttpResponse<Buffer> unsubscribed = start(auraId, "phone", UNSUBSCRIBED);
    assertEquals(422, unsubscribed.statusCode(), unsubscribed.bodyAsString());
    assertEquals("unsubscribed", Http.error(unsubscribed).getJsonObject("details").getString("reason"));
    assertEquals(2, sqlLong("SELECT count(*) FROM verification_challenges WHERE aura_id = '" + auraId
      + "' AND status = 'undelivered' AND code_hash IS NULL"));
    HttpResponse<Buffer> malformed = start(auraId, "phone", "0415 555 0123");
    assertEquals(400, malformed.statusCode(), malformed.bodyAsString());
    assertEquals("destination", Http.error(malformed).getJsonObject("details").getString("field"));
  }

  @Test
  void twilio_status_callbacks_apply_only_with_a_valid_signature() throws Exception {
    String auraId = register();
    String number = phone();
    String id = started(auraId, "phone", number).getString("id");
    Map<String, String> params = new TreeMap<>(Map.of("MessageSid", smsSids.get(number), "MessageStatus", "delivered",
      "AccountSid", SID, "To", number, "From", "+15005550006"));
    assertEquals(401, statusCallback(params, null).statusCode());
    assertEquals(401, statusCallback(params, signature(callbackUrl + "?x=1", params)).statusCode());
    Map<String, String> tampered = new TreeMap<>(params);
    tampered.put("MessageStatus", "failed");
    HttpResponse<Buffer> wrong = statusCallback(tampered, signature(callbackUrl, params));
    assertEquals(401, wrong.statusCode());
    assertEquals("WEBHOOK_REJECTED", Http.error(wrong).getString("code"));

    HttpResponse<Buffer> valid = statusCallback(params, signature(callbackUrl, params));
    assertEquals(200, valid.statusCode(), valid.bodyAsString());
    assertEquals("applied", valid.bodyAsJsonObject().getString("outcome"));
    JsonObject listed = (JsonObject) http.get("/internal/verifications?aura_id=" + auraId, user(auraId))
      .bodyAsJsonObject().getJsonArray("verifications").getValue(0);
    assertEquals(id, listed.getString("id"));
    assertEquals("delivered", listed.getString("delivery_status"));
  }

  // ---- document (Stripe Identity) --------------------------------------------------------------------------

  @Test
  void a_stripe_session_completes_only_by_a_signed_fresh_event_applied_once() throws Exception {
    String auraId = register();
    JsonObject started = started(auraId, "document", null);
    String url = started.getString("url");
    assertTrue(url.startsWith("https://verify.stripe.com/start/vs_"), url);
    assertFalse(started.encode().contains("secret"), "the client secret is never handed on");
    String session = url.substring(url.lastIndexOf('/') + 1);
    assertEquals(409, complete(auraId, started.getString("id"), "123456").statusCode(),
      "a document check does not complete with a code");

    long now = System.currentTimeMillis() / 1000;
    String verified = event("evt_" + NAMES.incrementAndGet(), "identity.verification_session.verified", session);
    assertEquals(401, stripeEvent(verified, null).statusCode(), "missing");
    assertEquals(401, stripeEvent(verified, "t=" + now + ",v1=" + "0".repeat(64)).statusCode(), "wrong");
    assertEquals(401, stripeEvent(verified, stripeSignature(verified, now - 301)).statusCode(), "stale");
    assertEquals(401, stripeEvent(verified.replace("verified\"", "verified \""), stripeSignature(verified, now))
      .statusCode(), "another body");
    HttpResponse<Buffer> applied = stripeEvent(verified, stripeSignature(verified, now));
    assertEquals(200, applied.statusCode(), applied.bodyAsString());
    assertEquals("completed", applied.bodyAsJsonObject().getString("outcome"));
    assertTrue(trustOf(auraId).getJsonObject("components").getJsonArray("verifications").contains("document"));
    HttpResponse<Buffer> replayed = stripeEvent(verified, stripeSignature(verified, now));
    assertEquals("duplicate", replayed.bodyAsJsonObject().getString("outcome"));
    // Two signatures during a secret's rotation: any v1 may match.
    String again = event("evt_" + NAMES.incrementAndGet(), "identity.verification_session.verified", session);
    String rotated = "t=" + now + ",v1=" + "f".repeat(64) + "," + stripeSignature(again, now).split(",")[1];
    assertEquals("ignored", stripeEvent(again, rotated).bodyAsJsonObject().getString("outcome"));
  }

  @Test
  void stripe_requires_input_is_kept_and_canceled_cancels() throws Exception {
    String auraId = register();
    JsonObject started = started(auraId, "document", null);
    String session = started.getString("url").substring(started.getString("url").lastIndexOf('/') + 1);
    long now = System.currentTimeMillis() / 1000;
    String input = event("evt_" + NAMES.incrementAndGet(), "identity.verification_session.requires_input", session);
    assertEquals("requires_input", stripeEvent(input, stripeSignature(input, now)).bodyAsJsonObject()
      .getString("outcome"));
    JsonObject listed = (JsonObject) http.get("/internal/verifications?aura_id=" + auraId, user(auraId))
      .bodyAsJsonObject().getJsonArray("verifications").getValue(0);
    assertEquals("requires_input:document_expired", listed.getString("delivery_status"));
    String canceled = event("evt_" + NAMES.incrementAndGet(), "identity.verification_session.canceled", session);
    assertEquals("cancelled", stripeEvent(canceled, stripeSignature(canceled, now)).bodyAsJsonObject()
      .getString("outcome"));
    String late = event("evt_" + NAMES.incrementAndGet(), "identity.verification_session.verified", session);
    assertEquals("ignored", stripeEvent(late, stripeSignature(late, now)).bodyAsJsonObject().getString("outcome"));
    assertFalse(trustOf(auraId).getJsonObject("components").getJsonArray("verifications").contains("document"));
  }

  // ---- biometric (liveness provider) -----------------------------------------------------------------------

  @Test
  void a_liveness_result_completes_by_its_single_use_nonce() throws Exception {
    String auraId = register();
    JsonObject started = started(auraId, "biometric", null);
    String nonce = started.getString("nonce");
    assertTrue(nonce.length() >= 43, nonce);
    assertTrue(started.getString("url").startsWith("https://liveness.example/check?nonce="));
    assertFalse(nonce.matches("^[0-9]{6}$"), "the nonce is not a code");
    String body = new JsonObject().put("nonce", nonce).put("result", "passed").encode();
    assertEquals(401, liveness(body, null).statusCode(), "missing");
    assertEquals(401, liveness(body, "sha256=" + "0".repeat(64)).statusCode(), "wrong");
    HttpResponse<Buffer> passed = liveness(body, livenessSignature(body));
    assertEquals(200, passed.statusCode(), passed.bodyAsString());
    assertEquals("completed", passed.bodyAsJsonObject().getString("outcome"));
    assertTrue(trustOf(auraId).getJsonObject("components").getJsonArray("verifications").contains("biometric"));
    HttpResponse<Buffer> replayed = liveness(body, livenessSignature(body));
    assertEquals(409, replayed.statusCode(), replayed.bodyAsString());

    String other = started(register(), "biometric", null).getString("nonce");
    String failed = new JsonObject().put("nonce", other).put("result", "failed").encode();
    assertEquals("failed", liveness(failed, livenessSignature(failed)).bodyAsJsonObject().getString("outcome"));
    String unknown = new JsonObject().put("nonce", "not-a-nonce").put("result", "passed").encode();
    assertEquals(404, liveness(unknown, livenessSignature(unknown)).statusCode());
  }

  // ---- social (OAuth 2.0 with PKCE) ------------------------------------------------------------------------

  /** The query parameters of a URL. */
  private static Map<String, String> query(String url) {
    return parse(url.substring(url.indexOf('?') + 1));
  }

  /** What the provider does when the person consents: issues a code bound to the request's challenge. */
  private static String consent(Map<String, String> authorize, String subject) {
    String code = "code-" + NAMES.incrementAndGet();
    oauthCodes.put(code, new String[] {authorize.get("code_challenge"), subject});
    return code;
  }

  private static HttpResponse<Buffer> callback(String query) {
    return http.get("/internal/verifications/oauth/callback?" + query);
  }

  @Test
  void a_social_check_completes_through_pkce_with_a_single_use_state() throws Exception {
    String auraId = register();
    JsonObject started = started(auraId, "social", "acme");
    Map<String, String> authorize = query(started.getString("url"));
    assertTrue(started.getString("url").startsWith("http://127.0.0.1:"));
    assertEquals("code", authorize.get("response_type"));
    assertEquals(OAUTH_CLIENT, authorize.get("client_id"));
    assertEquals(oauthCallbackUrl, authorize.get("redirect_uri"));
    assertEquals("S256", authorize.get("code_challenge_method"));
    assertEquals(43, authorize.get("code_challenge").length());
    assertTrue(authorize.get("state").length() >= 43);
    String subject = "acme-user-" + NAMES.incrementAndGet();
    String code = consent(authorize, subject);
    String state = URLEncoder.encode(authorize.get("state"), StandardCharsets.UTF_8);

    HttpResponse<Buffer> done = callback("state=" + state + "&code=" + code);
    assertEquals(200, done.statusCode(), done.bodyAsString());
    assertEquals("completed", done.bodyAsJsonObject().getString("outcome"));
    assertEquals("acme:***", done.bodyAsJsonObject().getJsonObject("verification").getString("destination"));
    assertTrue(trustOf(auraId).getJsonObject("components").getJsonArray("verifications").contains("social"));
    // Recorded by its digest only; the subject is nowhere in clear.
    assertEquals(1, sqlLong("SELECT count(*) FROM verified_methods WHERE method = 'social' AND aura_id = '" + auraId
      + "' AND destination IS NULL AND destination_hmac IS NOT NULL"));
    assertEquals(0, sqlLong("SELECT count(*) FROM verification_challenges WHERE aura_id = '" + auraId
      + "' AND (destination LIKE '%" + subject + "%' OR destination_sealed LIKE '%" + subject + "%')"));
    assertEquals(404, callback("state=" + state + "&code=" + consent(authorize, subject)).statusCode(),
      "a state is used once");

    // The same provider account cannot verify a second AuraID.
    String other = register();
    Map<String, String> second = query(started(other, "social", "acme").getString("url"));
    HttpResponse<Buffer> taken = callback("state=" + URLEncoder.encode(second.get("state"), StandardCharsets.UTF_8)
      + "&code=" + consent(second, subject));
    assertEquals(409, taken.statusCode(), taken.bodyAsString());
    assertEquals("DESTINATION_TAKEN", Http.error(taken).getString("code"));
  }

  @Test
  void a_code_issued_for_another_challenge_or_a_refusal_fails_the_check() throws Exception {
    String auraId = register();
    Map<String, String> mine = query(started(auraId, "social", "acme").getString("url"));
    // A code the provider issued for someone else's authorization request: the verifier does not match.
    Map<String, String> foreign = Map.of("code_challenge", io.auralink.comm.verification.channels.SocialOAuth
      .s256("an-attacker-s-own-verifier-0123456789-abcdefgh"));
    HttpResponse<Buffer> swapped = callback("state=" + URLEncoder.encode(mine.get("state"), StandardCharsets.UTF_8)
      + "&code=" + consent(foreign, "attacker"));
    assertEquals(502, swapped.statusCode(), swapped.bodyAsString());
    assertEquals("invalid_grant", Http.error(swapped).getJsonObject("details").getString("provider_code"));
    assertEquals(1, sqlLong("SELECT count(*) FROM verification_challenges WHERE aura_id = '" + auraId
      + "' AND status = 'failed'"));

    String next = register();
    Map<String, String> declined = query(started(next, "social", "acme").getString("url"));
    HttpResponse<Buffer> refused = callback("state=" + URLEncoder.encode(declined.get("state"), StandardCharsets.UTF_8)
      + "&error=access_denied");
    assertEquals(200, refused.statusCode(), refused.bodyAsString());
    assertEquals("failed", refused.bodyAsJsonObject().getString("outcome"));
    assertFalse(trustOf(next).getJsonObject("components").getJsonArray("verifications").contains("social"));
    HttpResponse<Buffer> unknownProvider = start(next, "social", "nowhere");
    assertEquals(400, unknownProvider.statusCode());
    assertEquals("destination", Http.error(unknownProvider).getJsonObject("details").getString("field"));
  }
}
