package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outbound connections verify certificates, against the configured bundle when there is one; nothing trusts all. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OutboundTlsTest {

  /** What would switch certificate or host verification off, in any client of any library. */
  private static final Pattern INSECURE = Pattern.compile(
    "setTrustAll\\s*\\(\\s*true|trustAll\\s*[:=]\\s*true|InsecureTrustManager|TrustAllTrustManager"
      + "|setVerifyHost\\s*\\(\\s*false|setHostnameVerificationAlgorithm\\s*\\(\\s*\"\"|X509TrustManager\\s*\\(\\s*\\)\\s*\\{"
      + "|NoopHostnameVerifier|ALLOW_ALL_HOSTNAME");
  /** Outbound clients are made in one place, OutboundTls, so that its policy holds for all of them. */
  private static final Pattern CLIENT_CREATION = Pattern.compile(
    "WebClient\\.create\\(|createHttpClient\\(|HttpClient\\.newHttpClient|createNetClient\\(");

  private static Vertx vertx;
  private static HttpServer server;
  private static TestCertificates ca;

  @BeforeAll
  static void startServer() {
    vertx = Vertx.vertx();
    ca = TestCertificates.newAuthority("private-deployment-ca");
    TestCertificates.Files files = ca.server("provider");
    server = Await.result(vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(files.keyCert()))
      .requestHandler(request -> request.response().end("ok")).listen(0, "0.0.0.0"));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @Test
  void no_source_file_switches_verification_off_or_makes_its_own_client() throws IOException {
    List<String> findings = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          if (INSECURE.matcher(line).find()) {
            findings.add(file + ":" + (i + 1) + ": " + line.trim());
          }
          // MemberProbe's client is the event bus's own kind: cluster certificate, cluster CA.
          if (CLIENT_CREATION.matcher(line).find() && !file.endsWith("platform/tls/OutboundTls.java")
            && !file.endsWith("platform/tls/MemberProbe.java")) {
            findings.add(file + ":" + (i + 1) + " makes its own client: " + line.trim());
          }
        }
      }
    }
    assertEquals(List.of(), findings);
    assertTrue(INSECURE.matcher("options.setTrustAll(true)").find(), "the pattern finds what it looks for");
  }

  @Test
  void a_certificate_from_an_unknown_ca_is_refused_by_default() {
    WebClient client = OutboundTls.webClient(vertx, transport(Map.of()), new WebClientOptions());
    Throwable refused = Await.failure(client.getAbs("https://127.0.0.1:" + server.actualPort() + "/").send());
    assertTrue(handshakeFailure(refused), String.valueOf(refused));
  }

  @Test
  void the_configured_bundle_is_trusted_and_host_names_are_checked() {
    Transport transport = transport(Map.of("AURALINK_OUTBOUND_CA_FILE", ca.caFile().toString()));
    WebClient client = OutboundTls.webClient(vertx, transport, new WebClientOptions());
    assertEquals("ok", Await.result(client.getAbs("https://127.0.0.1:" + server.actualPort() + "/").send()).bodyAsString());
    // The certificate names 127.0.0.1 and localhost: another name for the same address is refused.
    Throwable wrongHost = Await.failure(client.getAbs("https://127.0.0.2:" + server.actualPort() + "/").send());
    assertTrue(handshakeFailure(wrongHost), String.valueOf(wrongHost));
  }

  private static boolean handshakeFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }

  private static Transport transport(Map<String, String> values) {
    return Transport.from(Settings.of(values));
  }
}
