package io.auralink.comm.verification;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two members of one cluster: the send throttles hold across them, and a code sent by one completes on the other. */
class VerificationClusterTest {

  private static final AtomicInteger NAMES = new AtomicInteger();
  private static GreenMail smtp;
  private static Node first;
  private static Node second;
  private static Http firstHttp;
  private static Http secondHttp;
  private static Tokens tokens;

  @BeforeAll
  static void startTwoMembers() {
    int smtpPort = EmbeddedStores.freePort();
    smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    String cluster = "auralink-test-" + UUID.randomUUID();
    int firstPort = EmbeddedStores.freePort();
    int secondPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    Map<String, String> firstSettings = withSmtp(TestNodes.settings("verification_cluster", cluster, firstPort,
      members), smtpPort);
    first = TestNodes.start(firstSettings);
    Map<String, String> secondSettings = withSmtp(TestNodes.settings("verification_cluster_b", cluster, secondPort,
      members), smtpPort);
    secondSettings.put("AURALINK_DATABASE_URL", firstSettings.get("AURALINK_DATABASE_URL"));
    second = TestNodes.start(secondSettings);
    firstHttp = new Http(first.vertx(), Integer.parseInt(firstSettings.get("AURALINK_HTTP_PORT")));
    secondHttp = new Http(second.vertx(), Integer.parseInt(secondSettings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(first.vertx());
  }

  private static Map<String, String> withSmtp(Map<String, String> settings, int smtpPort) {
    settings.put("AURALINK_SMTP_HOST", "127.0.0.1");
    settings.put("AURALINK_SMTP_PORT", String.valueOf(smtpPort));
    settings.put("AURALINK_SMTP_SECURITY", "none");
    settings.put("AURALINK_SMTP_FROM", "verify@auralink.test");
    return settings;
  }

  @AfterAll
  static void stopMembers() {
    if (firstHttp != null) {
      firstHttp.close();
    }
    if (secondHttp != null) {
      secondHttp.close();
    }
    TestNodes.stop(second);
    TestNodes.stop(first);
    smtp.stop();
  }

  private static String register() {
    String username = "vc_" + NAMES.incrementAndGet();
    return firstHttp.register(tokens.hs256(Tokens.service("dashboard", "identity:write")), username);
  }

  private static HttpResponse<Buffer> start(Http http, String auraId, String address) {
    return http.post("/internal/verifications", tokens.hs256(Tokens.user(auraId)),
      new JsonObject().put("aura_id", auraId).put("method", "email").put("destination", address));
  }

  private static String address() {
    return "member" + NAMES.incrementAndGet() + "@example.com";
  }

  @Test
  void throttles_hold_across_members() {
    String auraId = register();
    String address = address();
    assertEquals(201, start(firstHttp, auraId, address).statusCode());
    HttpResponse<Buffer> again = start(secondHttp, auraId, address);
    assertEquals(429, again.statusCode(), again.bodyAsString());
    assertEquals("destination", Http.error(again).getJsonObject("details").getString("limit"));
    for (int i = 0; i < 4; i++) {
      assertEquals(201, start(i % 2 == 0 ? secondHttp : firstHttp, auraId, address()).statusCode());
    }
    HttpResponse<Buffer> sixth = start(firstHttp, auraId, address());
    assertEquals(429, sixth.statusCode(), sixth.bodyAsString());
    assertEquals("aura_id", Http.error(sixth).getJsonObject("details").getString("limit"));
  }

  @Test
  void a_code_sent_by_one_member_completes_on_the_other() throws Exception {
    String auraId = register();
    String address = address();
    HttpResponse<Buffer> started = start(firstHttp, auraId, address);
    assertEquals(201, started.statusCode(), started.bodyAsString());
    Matcher code = Pattern.compile("\\b([0-9]{6})\\b")
      .matcher(GreenMailUtil.getBody(smtp.getReceivedMessagesForDomain(address)[0]));
    assertTrue(code.find());
    HttpResponse<Buffer> done = secondHttp.post("/internal/verifications/"
        + started.bodyAsJsonObject().getString("id") + "/complete", tokens.hs256(Tokens.user(auraId)),
      new JsonObject().put("code", code.group(1)));
    assertEquals(200, done.statusCode(), done.bodyAsString());
    assertEquals("completed", done.bodyAsJsonObject().getString("status"));
  }
}
