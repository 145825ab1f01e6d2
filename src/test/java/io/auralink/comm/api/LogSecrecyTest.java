package io.auralink.comm.api;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.auralink.comm.cli.EscapedMessageConverter;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import jakarta.mail.internet.MimeMessage;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captures everything a node logs, from its start to its stop, through a scripted session that handles secrets:
 * good, forged, expired and hostile tokens, a verification code sent by email and entered wrong then right, the
 * Matrix homeserver's token in a header and in a query string, and the node's own keys. Both log formats are
 * rendered (the JSON encoder and the console's escaped message), with stack traces, and no secret, token, token
 * signature or code may appear in either; nor may a control character forge a line in the console format.
 */
class LogSecrecyTest {

  private static final Pattern SIX_DIGITS = Pattern.compile("\\b([0-9]{6})\\b");
  private static final String HS_TOKEN = "hs-secret-token-for-the-log-test-0123456789";
  private static final String AS_TOKEN = "as-secret-token-for-the-log-test-0123456789";

  /** Every event of every logger, as it came. */
  private static final class Capture extends AppenderBase<ILoggingEvent> {
    final ConcurrentLinkedQueue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
      event.prepareForDeferredProcessing();
      events.add(event);
    }
  }

  @Test
  @Timeout(240)
  void no_secret_token_or_code_reaches_the_logs_of_a_session() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger access = context.getLogger("auralink.access");
    Level accessLevel = access.getLevel();
    Capture capture = new Capture();
    capture.setContext(context);
    capture.start();
    root.addAppender(capture);
    access.setLevel(Level.INFO);

    List<String> secrets = new ArrayList<>(List.of(TestNodes.JWT_SECRET, TestNodes.VERIFICATION_CODE_KEY, HS_TOKEN,
      AS_TOKEN));
    List<String> codes = new ArrayList<>();
    int smtpPort = EmbeddedStores.freePort();
    GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    Node node = null;
    try {
      Map<String, String> settings = TestNodes.settings("log_secrecy");
      settings.put("AURALINK_SMTP_HOST", "127.0.0.1");
      settings.put("AURALINK_SMTP_PORT", String.valueOf(smtpPort));
      settings.put("AURALINK_SMTP_SECURITY", "none");
      settings.put("AURALINK_SMTP_FROM", "verify@auralink.test");
      settings.put("AURALINK_MATRIX_HS_TOKEN", HS_TOKEN);
      settings.put("AURALINK_MATRIX_AS_TOKEN", AS_TOKEN);
      int asPort = EmbeddedStores.freePort();
      settings.put("AURALINK_MATRIX_AS_PORT", String.valueOf(asPort));
      settings.put("AURALINK_MATRIX_AS_HOST", "127.0.0.1");
      node = TestNodes.start(settings);
      try (Http http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")))) {
        session(node, http, asPort, smtp, secrets, codes);
      }
    } finally {
      TestNodes.stop(node);
      smtp.stop();
      root.detachAppender(capture);
      access.setLevel(accessLevel);
    }

    assertFalse(codes.isEmpty(), "the session saw a verification code");
    LogstashEncoder json = new LogstashEncoder();
    json.setContext(context);
    json.start();
    int lines = 0;
    for (ILoggingEvent event : capture.events) {
      String message = EscapedMessage.convert(event);
      String console = EscapedMessage.render(event);
      String encoded = new String(json.encode(event), StandardCharsets.UTF_8);
      lines++;
      assertFalse(message.chars().anyMatch(c -> c < 0x20), "a console message holds a control character: " + message);
      for (String rendered : List.of(console, encoded)) {
        for (String secret : secrets) {
          assertFalse(rendered.contains(secret), "a secret or token is logged: " + rendered);
        }
        for (String code : codes) {
          assertFalse(Pattern.compile("\\b" + code + "\\b").matcher(rendered).find(),
            "the verification code " + code + " is logged: " + rendered);
        }
        assertFalse(rendered.contains("forged"), "a forged subject reached the log: " + rendered);
      }
    }
    assertTrue(lines > 10, "the node logged its session (" + lines + " events)");
    assertTrue(capture.events.stream().anyMatch(e -> e.getLoggerName().equals("auralink.access")),
      "the access log was captured");
  }

  private static void session(Node node, Http http, int asPort, GreenMail smtp, List<String> secrets,
                              List<String> codes) throws Exception {
    Tokens tokens = new Tokens(node.vertx());
    String registrar = tokens.hs256(Tokens.service("registrar", "identity:read", "identity:write"));
    secrets.add(registrar);
    String auraId = http.register(registrar, "logsecrecy");
    String user = tokens.hs256(Tokens.user(auraId));
    secrets.add(user);
    assertEquals(200, http.get("/internal/whoami", user).statusCode());

    // Refused tokens: forged, expired, hostile. Each is a secret to someone.
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("forged", tokens.hs256(Tokens.user(auraId), "another-secret-of-sufficient-length-000000"));
    refused.put("expired", tokens.hs256(Tokens.user(auraId).put("exp", 1L)));
    refused.put("newline subject", tokens.hs256(Tokens.service("svc\nINFO forged line")));
    refused.put("absurd expiry", tokens.hs256(Tokens.service("svc").put("exp", Long.MAX_VALUE)));
    for (Map.Entry<String, String> token : refused.entrySet()) {
      secrets.add(token.getValue());
      secrets.add(token.getValue().substring(token.getValue().lastIndexOf('.') + 1));
      assertEquals(401, http.get("/internal/whoami", token.getValue()).statusCode(), token.getKey());
    }
    secrets.add(user.substring(user.lastIndexOf('.') + 1));

    // A verification code by email, entered wrong, then right.
    String address = "logsecrecy@example.com";
    HttpResponse<Buffer> started = http.post("/internal/verifications", user,
      new JsonObject().put("aura_id", auraId).put("method", "email").put("destination", address));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    String challenge = started.bodyAsJsonObject().getString("id");
    Await.until(Duration.ofSeconds(20), "the code is mailed", () -> smtp.getReceivedMessages().length > 0);
    MimeMessage message = smtp.getReceivedMessages()[0];
    Matcher code = SIX_DIGITS.matcher(GreenMailUtil.getBody(message));
    assertTrue(code.find());
    codes.add(code.group(1));
    String wrong = String.format("%06d", (Integer.parseInt(code.group(1)) + 1) % 1_000_000);
    codes.add(wrong);
    assertEquals(400, http.post("/internal/verifications/" + challenge + "/complete", user,
      new JsonObject().put("code", wrong)).statusCode());
    assertEquals(200, http.post("/internal/verifications/" + challenge + "/complete", user,
      new JsonObject().put("code", code.group(1))).statusCode());

    // The homeserver's token, right and wrong, in the header and in the query string.
    WebClient matrix = WebClient.create(node.vertx());
    try {
      Buffer empty = new JsonObject().put("events", new io.vertx.core.json.JsonArray()).toBuffer();
      assertEquals(200, Await.result(matrix.request(HttpMethod.PUT, asPort, "127.0.0.1",
          "/_matrix/app/v1/transactions/log-1").bearerTokenAuthentication(HS_TOKEN).sendBuffer(empty)).statusCode());
      assertEquals(200, Await.result(matrix.request(HttpMethod.PUT, asPort, "127.0.0.1",
        "/_matrix/app/v1/transactions/log-2?access_token=" + HS_TOKEN).sendBuffer(empty)).statusCode());
      String wrongHs = "wrong-hs-token-0123456789-abcdef";
      secrets.add(wrongHs);
      assertEquals(403, Await.result(matrix.request(HttpMethod.PUT, asPort, "127.0.0.1",
        "/_matrix/app/v1/transactions/log-3?access_token=" + wrongHs).sendBuffer(empty)).statusCode());
    } finally {
      matrix.close();
    }
    // A token where it does not belong, in a query string (the access log shows the path alone).
    http.get("/internal/whoami?access_token=" + registrar);
  }

  /** The console format's message with the production converter, plus the stack trace as the console shows it. */
  private static final class EscapedMessage {
    static String convert(ILoggingEvent event) {
      return new EscapedMessageConverter().convert(event);
    }

    static String render(ILoggingEvent event) {
      StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " ")
        .append(convert(event));
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          line.append(" | ").append(frame.getSTEAsString());
        }
      }
      return line.toString();
    }
  }
}
