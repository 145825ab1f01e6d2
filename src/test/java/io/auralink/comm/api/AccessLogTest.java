package io.auralink.comm.api;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access-log line as the production logback.xml writes it, in each of its outputs: a request through
 * {@link RequestTracking} on a small router, logged by a logger context configured from {@code logback.xml}
 * (the test class path's own configuration silences access logs).
 */
class AccessLogTest {

  private static final char ESC = '\u001b';

  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    Await.result(vertx.close());
  }

  /** One request answered 201 by an authenticated operation; returns what the chosen appender of logback.xml wrote. */
  private static String accessLine(String appender, String requestId) throws JoranException {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    context.putProperty("auralink.log.format", appender);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(RequestTracking.class.getResource("/logback.xml"));
    // The appender's encoder as configured, writing here instead of to standard output.
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    ((OutputStreamAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(appender)).setOutputStream(output);

    Router router = Router.router(vertx);
    router.route().handler(new RequestTracking(context.getLogger("auralink.access")));
    router.post("/things/:id").handler(ctx -> {
      ctx.put(RequestTracking.OPERATION_KEY, "createThing");
      ctx.put(Principal.CONTEXT_KEY, new Principal(Principal.Kind.SERVICE, "ops", Set.of("things:write"),
        Instant.now().plusSeconds(60)));
      ctx.response().setStatusCode(201).end();
    });
    HttpServer server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    try {
      HttpResponse<Buffer> response = Await.result(client.post(server.actualPort(), "127.0.0.1", "/things/42?secret=s3")
        .putHeader(RequestTracking.HEADER, requestId).send());
      assertEquals(201, response.statusCode());
      // The line is written when the response has ended, which may be after the client has read it.
      Await.until(Duration.ofSeconds(10), "the access line",
        () -> output.toString(StandardCharsets.UTF_8).contains(requestId));
      return output.toString(StandardCharsets.UTF_8).lines()
        .filter(line -> line.contains(requestId)).findFirst().orElseThrow();
    } finally {
      client.close();
      Await.result(server.close());
      context.stop();
    }
  }

  @Test
  void the_console_line_names_method_path_status_duration_principal_operation_and_request_id() throws Exception {
    String line = accessLine("console", "trace-console-1");
    assertTrue(line.contains(" auralink.access POST /things/42 201 "), line);
    assertTrue(line.matches(".* 201 \\d+(\\.\\d)?ms .*"), "duration in milliseconds: " + line);
    assertTrue(line.contains("principal=service:ops"), line);
    assertTrue(line.contains("operation=createThing"), line);
    assertTrue(line.contains("request_id=trace-console-1"), line);
    assertFalse(line.contains("secret"), "the query string is not logged: " + line);
  }

  @Test
  void the_console_format_for_a_file_or_pipe_has_no_escape_sequences() throws Exception {
    assertFalse(accessLine("console", "trace-plain-1").indexOf(ESC) >= 0);
    assertTrue(accessLine("console-colour", "trace-colour-1").indexOf(ESC) >= 0,
      "the terminal variant is the one that colours");
  }

  @Test
  void the_json_line_carries_every_value_as_a_field() throws Exception {
    JsonObject line = new JsonObject(accessLine("json", "trace-json-1"));
    assertEquals("auralink.access", line.getString("logger_name"));
    assertEquals("POST", line.getString("method"));
    assertEquals("/things/42", line.getString("path"));
    assertEquals("createThing", line.getString("operation"));
    assertEquals(201, line.getInteger("status"));
    assertTrue(line.getDouble("duration_ms") >= 0, line.encode());
    assertEquals("service:ops", line.getString("principal"));
    assertEquals("trace-json-1", line.getString("request_id"));
    assertTrue(line.getString("message").startsWith("POST /things/42 201 "), line.encode());
  }

  @Test
  void control_characters_in_a_path_cannot_forge_log_lines() {
    assertEquals("/a?b?c", RequestTracking.printable("/a\nb\u001bc"));
    assertEquals("/plain/path", RequestTracking.printable("/plain/path"));
    assertEquals(515, RequestTracking.printable("/" + "x".repeat(2000)).length());
  }
}
