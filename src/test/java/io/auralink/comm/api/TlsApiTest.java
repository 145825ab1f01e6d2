package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.tls.CertificateAuthority;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestCertificates;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API and Matrix AS listeners over TLS: tokens and client certificates, HTTP/2 by ALPN, certificate rotation
 * without a restart, and the protocol and cipher policy as an outside client (openssl) sees it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsApiTest {

  private static TestCertificates ca;
  private static TestCertificates.Files serverFiles;
  private static Node node;
  private static int port;
  private static int matrixPort;
  private static Tokens tokens;

  @BeforeAll
  static void startNode() {
    ca = TestCertificates.newAuthority("auralink-test-ca");
    serverFiles = ca.server("api");
    TestCertificates.Files matrixFiles = ca.server("matrix-as");
    Map<String, String> settings = TestNodes.settings("tls-api");
    settings.put("AURALINK_HTTP_TLS_CERT", serverFiles.cert().toString());
    settings.put("AURALINK_HTTP_TLS_KEY", serverFiles.key().toString());
    settings.put("AURALINK_HTTP_TLS_CLIENT_CA", ca.caFile().toString());
    settings.put("AURALINK_HTTP_TLS_CLIENT_SERVICES", "billing=calls:read identity:read; auditor=");
    settings.put("AURALINK_TLS_RELOAD_INTERVAL", "200ms");
    settings.put("AURALINK_MATRIX_HS_TOKEN", "hs-token-for-the-tls-test-0123456789");
    settings.put("AURALINK_MATRIX_AS_TLS_CERT", matrixFiles.cert().toString());
    settings.put("AURALINK_MATRIX_AS_TLS_KEY", matrixFiles.key().toString());
    settings.put("AURALINK_MATRIX_AS_HOST", "127.0.0.1");
    settings.put("AURALINK_MATRIX_AS_PORT", String.valueOf(io.auralink.comm.platform.storage.EmbeddedStores.freePort()));
    node = TestNodes.start(settings);
    port = Integer.parseInt(settings.get("AURALINK_HTTP_PORT"));
    matrixPort = Integer.parseInt(settings.get("AURALINK_MATRIX_AS_PORT"));
    tokens = new Tokens(node.vertx());
  }

  @AfterAll
  static void stopNode() {
    TestNodes.stop(node);
  }

  @Test
  void a_token_works_over_tls_and_http2_is_negotiated_by_alpn() {
    HttpClientAgent client = client(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setUseAlpn(true));
    try {
      Reply reply = get(client, port, "/internal/whoami", tokens.hs256(Tokens.service("dashboard", "a:b")));
      assertEquals(200, reply.status(), reply.body());
      assertEquals(HttpVersion.HTTP_2, reply.version());
      assertEquals("dashboard", new JsonObject(reply.body()).getString("subject"));
    } finally {
      client.close();
    }
  }

  @Test
  void a_mapped_client_certificate_is_its_service_with_the_configured_scopes() {
    HttpClientAgent client = client(new HttpClientOptions().setKeyCertOptions(ca.client("billing").keyCert()));
    try {
      Reply reply = get(client, port, "/internal/whoami", null);
      assertEquals(200, reply.status(), reply.body());
      JsonObject principal = new JsonObject(reply.body());
      assertEquals("service", principal.getString("kind"));
      assertEquals("billing", principal.getString("subject"));
      assertEquals(Set.of("calls:read", "identity:read"), Set.copyOf(principal.getJsonArray("scopes").getList()));
      // A scope the certificate lacks: authenticated, not authorised.
      Reply forbidden = get(client, port, "/internal/cluster", null);
      assertEquals(403, forbidden.status(), forbidden.body());
      // An explicit token wins over the certificate.
      Reply token = get(client, port, "/internal/whoami", tokens.hs256(Tokens.service("dashboard")));
      assertEquals("dashboard", new JsonObject(token.body()).getString("subject"));
    } finally {
      client.close();
    }
  }

  @Test
  void a_client_certificate_mapped_to_no_service_is_401() {
    HttpClientAgent client = client(new HttpClientOptions().setKeyCertOptions(ca.client("stranger").keyCert()));
    try {
      Reply reply = get(client, port, "/internal/whoami", null);
      assertEquals(401, reply.status(), reply.body());
      assertTrue(reply.body().contains("not mapped to a service"), reply.body());
    } finally {
      client.close();
    }
  }

  @Test
  void a_client_certificate_from_another_ca_is_refused() throws Exception {
    TestCertificates other = TestCertificates.newAuthority("someone-elses-ca");
    TestCertificates.Files foreign = other.client("billing");
    // A JDK client offers only a certificate from a CA the server names: it sends none, and is just unauthenticated.
    HttpClientAgent client = client(new HttpClientOptions().setKeyCertOptions(foreign.keyCert()));
    try {
      assertEquals(401, get(client, port, "/internal/whoami", null).status());
    } finally {
      client.close();
    }
    // openssl presents it anyway: the handshake fails and no request is answered.
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed: skipped");
    Outcome forced = openssl("GET /internal/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
      "-cert", foreign.cert().toString(), "-key", foreign.key().toString());
    assertFalse(forced.output().contains("HTTP/1.1"), forced.output());
    // The same request with the right CA's certificate is answered: the refusal above is the certificate's.
    TestCertificates.Files billing = ca.client("billing");
    Outcome answered = openssl("GET /internal/whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
      "-cert", billing.cert().toString(), "-key", billing.key().toString());
    assertTrue(answered.output().contains("HTTP/1.1 200") && answered.output().contains("billing"), answered.output());
  }

  @Test
  void without_token_or_certificate_it_is_401() {
    HttpClientAgent client = client(new HttpClientOptions());
    try {
      assertEquals(401, get(client, port, "/internal/whoami", null).status());
    } finally {
      client.close();
    }
  }

  @Test
  void the_matrix_as_listener_serves_tls_with_its_own_certificate() {
    HttpClientAgent client = client(new HttpClientOptions());
    try {
      Reply reply = get(client, matrixPort, "/_matrix/app/v1/users/@someone:example.org", null);
      assertEquals(401, reply.status(), reply.body());
      assertEquals("matrix-as", commonName(reply.certificate()));
    } finally {
      client.close();
    }
  }

  @Test
  void a_rotated_certificate_reaches_new_connections_while_open_ones_keep_working() {
    HttpClientAgent client = client(new HttpClientOptions());
    try {
      HttpClientConnection open = Await.result(client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port)));
      BigInteger before = serial(open);
      assertEquals(200, request(open, "/health/live").status());

      CertificateAuthority.Issued rotated = ca.reissue(serverFiles, "api-rotated");
      BigInteger after = rotated.certificate().getSerialNumber();
      assertNotEquals(before, after);
      AtomicReference<BigInteger> seen = new AtomicReference<>();
      Await.until(Duration.ofSeconds(20), "a new connection gets the rotated certificate", () -> {
        HttpClientConnection fresh = Await.result(client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port)));
        seen.set(serial(fresh));
        Await.result(fresh.close());
        return after.equals(seen.get());
      });
      assertEquals("api-rotated", commonName(Await.result(client.connect(new HttpConnectOptions()
        .setHost("127.0.0.1").setPort(port)).map(TlsApiTest::peer))));

      assertEquals(200, request(open, "/health/live").status(), "the connection opened before the rotation");
      assertEquals(before, serial(open));
      Await.result(open.close());
    } finally {
      client.close();
    }
  }

  @Test
  void tls_1_1_and_suites_without_forward_secrecy_are_refused() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed: skipped");
    Outcome tls13 = openssl(null, "-tls1_3");
    assertTrue(tls13.ok() && tls13.output().contains("TLSv1.3"), tls13.output());
    Outcome tls12 = openssl(null, "-tls1_2");
    assertTrue(tls12.ok() && tls12.output().contains("ECDHE"), tls12.output());
    // SECLEVEL=0 lets openssl itself offer TLS 1.1 and old suites: any refusal is the server's.
    Outcome tls11 = openssl(null, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
    assertFalse(tls11.ok(), tls11.output());
    Outcome rsaKeyExchange = openssl(null, "-tls1_2", "-cipher", "AES128-SHA:AES256-GCM-SHA384:@SECLEVEL=0");
    assertFalse(rsaKeyExchange.ok(), rsaKeyExchange.output());
  }

  private record Outcome(boolean ok, String output) {
  }

  /** A handshake by {@code openssl s_client}, sending {@code request} (or nothing) once connected. */
  private static Outcome openssl(String request, String... options) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
      "-CAfile", ca.caFile().toString(), "-verify_return_error"));
    if (request != null) {
      command.add("-ign_eof");
    }
    command.addAll(List.of(options));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (request != null) {
      process.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    }
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("openssl did not finish");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Outcome(process.exitValue() == 0 && output.contains("Verify return code: 0 (ok)"), output);
  }

  private record Reply(int status, String body, HttpVersion version, X509Certificate certificate) {
  }

  private static HttpClientAgent client(HttpClientOptions options) {
    return node.vertx().createHttpClient(options.setSsl(true).setTrustOptions(ca.trust()).setVerifyHost(true)
      .setDefaultHost("127.0.0.1"));
  }

  private static Reply get(HttpClientAgent client, int port, String path, String token) {
    return Await.result(client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port))
      .compose(connection -> send(connection, path, token).eventually(connection::close)));
  }

  private static Reply request(HttpClientConnection connection, String path) {
    return Await.result(send(connection, path, null));
  }

  private static Future<Reply> send(HttpClientConnection connection, String path, String token) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(path);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return connection.request(options)
      .compose(request -> request.send())
      .compose(response -> response.body().map(body -> reply(connection, response, body)));
  }

  private static Reply reply(HttpClientConnection connection, HttpClientResponse response, Buffer body) {
    return new Reply(response.statusCode(), body.toString(), response.version(), peer(connection));
  }

  private static X509Certificate peer(HttpClientConnection connection) {
    try {
      return (X509Certificate) connection.peerCertificates().get(0);
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
  }

  private static BigInteger serial(HttpClientConnection connection) {
    return peer(connection).getSerialNumber();
  }

  private static String commonName(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName().replaceFirst("^CN=", "");
  }
}
