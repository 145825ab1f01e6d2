package io.auralink.comm.cli;

import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as an operator uses it: exit codes, messages, start-dev, migrate and token. */
class CliTest {

  /** One command's exit code and what it printed. */
  record Run(int code, String out, String err) {
    List<String> outLines() {
      return out.lines().toList();
    }
  }

  private static Run run(Map<String, String> environment, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new Cli(environment, new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void start_without_a_database_url_exits_non_zero_naming_the_setting() {
    Map<String, String> environment = TestNodes.settings("cli_no_db");
    environment.remove("AURALINK_DATABASE_URL");
    Run run = run(environment, "start");
    assertEquals(Cli.USAGE, run.code());
    assertTrue(run.err().contains("AURALINK_DATABASE_URL"), run.err());
  }

  @Test
  void start_without_jwt_keys_refuses_to_run() {
    Map<String, String> environment = TestNodes.settings("cli_no_keys");
    environment.remove("AURALINK_JWT_SECRET");
    Run run = run(environment, "start");
    assertEquals(Cli.USAGE, run.code());
    assertTrue(run.err().contains("AURALINK_JWT_SECRET"), run.err());
  }

  @Test
  void start_without_data_keys_refuses_to_run_roles_that_store_sealed_data() {
    Map<String, String> environment = TestNodes.settings("cli_no_data_keys");
    environment.remove("AURALINK_DATA_KEYS");
    Run run = run(environment, "start");
    assertEquals(Cli.USAGE, run.code());
    assertTrue(run.err().contains("AURALINK_DATA_KEYS is required where the verification or notification role runs"),
      run.err());
  }

  @Test
  void start_with_an_unreachable_database_fails_with_a_clear_error() {
    Map<String, String> environment = TestNodes.settings("cli_unreachable");
    environment.put("AURALINK_DATABASE_URL", "postgresql://postgres@127.0.0.1:" + EmbeddedStores.freePort() + "/nowhere");
    environment.put("AURALINK_DATABASE_CONNECT_TIMEOUT", "1s");
    Run run = run(environment, "start");
    assertEquals(Cli.FAILED, run.code());
    assertTrue(run.err().contains("cannot reach PostgreSQL at 127.0.0.1"), run.err());
  }

  @Test
  void an_unknown_command_prints_the_usage() {
    Run run = run(Map.of(), "launch-rockets");
    assertEquals(Cli.USAGE, run.code());
    assertTrue(run.err().contains("start-dev"));
  }

  @Test
  void migrate_applies_the_schema_once() {
    Map<String, String> environment = Map.of("AURALINK_DATABASE_URL", TestStores.get().newDatabase("cli_migrate"));
    Run first = run(environment, "migrate");
    Run second = run(environment, "migrate");
    assertEquals(Cli.OK, first.code(), first.err());
    assertFalse(first.out().startsWith("applied 0 "), first.out());
    assertTrue(second.out().startsWith("applied 0 migration(s)"), second.out());
  }

  @Test
  void token_refuses_bad_usage() {
    Map<String, String> environment = Map.of("AURALINK_JWT_SECRET", TestNodes.JWT_SECRET);
    assertEquals(Cli.USAGE, run(environment, "token").code());
    assertEquals(Cli.USAGE, run(environment, "token", "--service", "a", "--user", "@b.aura").code());
    assertEquals(Cli.USAGE, run(environment, "token", "--user", "@b.aura", "--scope", "x").code());
    assertEquals(Cli.USAGE, run(environment, "token", "--user", "Bob").code());
    assertEquals(Cli.USAGE, run(environment, "token", "--service", "a", "--ttl", "soon").code());
    // Longer than the node accepts (24 h for users, 30 days for services), or a name that is no service name.
    assertEquals(Cli.USAGE, run(environment, "token", "--user", "@bob.aura", "--ttl", "25h").code());
    assertEquals(Cli.USAGE, run(environment, "token", "--service", "a", "--ttl", "31d").code());
    assertEquals(Cli.USAGE, run(environment, "token", "--service", "a\nb").code());
  }

  @Test
  @SuppressWarnings("unchecked")
  void matrix_registration_prints_an_application_service_file_with_an_exclusive_namespace() {
    Run run = run(Map.of("AURALINK_MATRIX_AS_TOKEN", "as-secret", "AURALINK_MATRIX_HS_TOKEN", "hs-secret",
      "AURALINK_MATRIX_SERVER_NAME", "chat.example.org", "AURALINK_MATRIX_AS_URL", "http://10.1.2.3:8001"),
      "matrix-registration");
    assertEquals(Cli.OK, run.code(), run.err());
    Map<String, Object> registration = new org.yaml.snakeyaml.Yaml().load(run.out());
    assertEquals("auralink", registration.get("id"));
    assertEquals("http://10.1.2.3:8001", registration.get("url"));
    assertEquals("as-secret", registration.get("as_token"));
    assertEquals("hs-secret", registration.get("hs_token"));
    assertEquals("auralink-bot", registration.get("sender_localpart"));
    Map<String, Object> users = ((List<Map<String, Object>>) ((Map<String, Object>) registration.get("namespaces"))
      .get("users")).get(0);
    assertEquals(true, users.get("exclusive"));
    java.util.regex.Pattern namespace = java.util.regex.Pattern.compile((String) users.get("regex"));
    assertTrue(namespace.matcher("@alice_aura:chat.example.org").matches());
    assertFalse(namespace.matcher("@alice:chat.example.org").matches());
    assertFalse(namespace.matcher("@alice_aura:chatXexample.org").matches(), "dots are literal");
    assertFalse(namespace.matcher("@alice_aura:chat.example.org.evil").matches());
  }

  @Test
  void matrix_registration_without_tokens_names_the_missing_setting() {
    Run run = run(Map.of("AURALINK_MATRIX_AS_TOKEN", "as-secret"), "matrix-registration");
    assertEquals(Cli.USAGE, run.code());
    assertTrue(run.err().contains("AURALINK_MATRIX_HS_TOKEN"), run.err());
  }

  @Test
  void start_dev_boots_ready_on_embedded_storage_and_keeps_its_data_across_a_restart() throws java.io.IOException {
    Path dataDir = TestStores.tempDir();
    Map<String, String> environment = new HashMap<>();
    environment.put("AURALINK_DATA_DIR", dataDir.toString());
    environment.put("AURALINK_HTTP_HOST", "127.0.0.1");
    environment.put("AURALINK_HTTP_PORT", String.valueOf(EmbeddedStores.freePort()));
    environment.put("AURALINK_HTTP_INSTANCES", "1");
    environment.put("AURALINK_CLUSTER_PORT", String.valueOf(EmbeddedStores.freePort()));
    environment.put("AURALINK_BLOCKED_THREAD_WARNING", TestNodes.BLOCKED_THREAD_WARNING);
    int asPort = EmbeddedStores.freePort();
    environment.put("AURALINK_MATRIX_AS_PORT", String.valueOf(asPort));
    int port = Integer.parseInt(environment.get("AURALINK_HTTP_PORT"));
    Cli cli = new Cli(environment, System.out, System.err);

    try (RunningNode node = cli.launch("start-dev");
         Http http = new Http(node.node().vertx(), port, dataDir.resolve("tls/ca.pem"))) {
      // The secure path by default: the API over TLS with the development CA, the event bus with its certificates.
      assertTrue(node.node().platform().config().transport().cluster().isPresent(), "the event bus runs TLS");
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(dataDir.resolve("tls/node-key.pem"))));
      HttpResponse<Buffer> ready = http.get("/health/ready");
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      assertEquals("embedded", http.get("/health").bodyAsJsonObject().getString("storage"));
      assertEquals(200, http.get("/docs").statusCode(), "start-dev serves the rendered API reference");

      // The token command uses the development secret start-dev created under the data directory.
      Run token = run(Map.of("AURALINK_DATA_DIR", dataDir.toString()), "token", "--user", "@alice.aura", "--ttl", "90s");
      assertEquals(Cli.OK, token.code(), token.err());
      List<String> lines = token.outLines();
      HttpResponse<Buffer> whoami = http.get("/internal/whoami", lines.get(lines.size() - 1));
      assertEquals(200, whoami.statusCode(), whoami.bodyAsString());
      assertEquals("@alice.aura", whoami.bodyAsJsonObject().getString("aura_id"));

      // start-dev generated the Application Service tokens; the registration names them and the bridge's listener.
      Run registration = run(Map.of("AURALINK_DATA_DIR", dataDir.toString(), "AURALINK_MATRIX_AS_PORT",
        String.valueOf(asPort)), "matrix-registration");
      assertEquals(Cli.OK, registration.code(), registration.err());
      Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(registration.out());
      assertEquals("http://127.0.0.1:" + asPort, yaml.get("url"));
      String hsToken = (String) yaml.get("hs_token");
      assertTrue(hsToken.startsWith("hs_") && !hsToken.equals(yaml.get("as_token")), registration.out());
      HttpResponse<Buffer> ping = Await.result(io.vertx.ext.web.client.WebClient.create(node.node().vertx())
        .postAbs("http://127.0.0.1:" + asPort + "/_matrix/app/v1/ping").bearerTokenAuthentication(hsToken)
        .sendJsonObject(new io.vertx.core.json.JsonObject()));
      assertEquals(200, ping.statusCode(), "the bridge accepts the generated hs_token");

      Await.result(node.node().platform().pool().query("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')").execute());
    }

    String caBefore = read(dataDir.resolve("tls/ca.pem"));
    try (RunningNode restarted = cli.launch("start-dev")) {
      assertEquals(caBefore, read(dataDir.resolve("tls/ca.pem")), "the development CA is kept across restarts");
      Row row = Await.result(restarted.node().platform().pool().query("SELECT note FROM kept").execute()).iterator().next();
      assertEquals("still here", row.getString("note"));
    }
  }

  private static String read(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
