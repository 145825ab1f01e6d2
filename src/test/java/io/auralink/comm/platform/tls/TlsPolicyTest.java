package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.config.ConfigException;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ServerSSLOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transport settings as configuration reads them, and the client-certificate requirement on a listener. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TlsPolicyTest {

  private static Vertx vertx;
  private static TestCertificates ca;
  private static TestCertificates.Files server;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    ca = TestCertificates.newAuthority("policy-ca");
    server = ca.server("listener");
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @Test
  void client_services_map_common_names_to_scopes() {
    Transport transport = Transport.from(Settings.of(settings(Map.of(
      Transport.CLIENT_CA, ca.caFile().toString(),
      Transport.CLIENT_SERVICES, " billing=calls:read identity:read ;auditor=; ops-1.eu = cluster:read"))));
    Transport.ClientCertificates clients = transport.clientCertificates().orElseThrow();
    assertEquals(Transport.ClientAuthMode.REQUEST, clients.mode());
    assertEquals(Map.of("billing", Set.of("calls:read", "identity:read"), "auditor", Set.of(),
      "ops-1.eu", Set.of("cluster:read")), clients.services());
  }

  @Test
  void bad_transport_settings_name_their_key() {
    assertEquals(Transport.HTTP_KEY, refused(Map.of(Transport.HTTP_CERT, server.cert().toString())));
    assertEquals(Transport.HTTP_CERT, refused(Map.of(Transport.HTTP_CERT, "/no/such/cert.pem",
      Transport.HTTP_KEY, server.key().toString())));
    assertEquals(Transport.CLIENT_CA, refused(Map.of(Transport.CLIENT_SERVICES, "billing=calls:read")));
    assertEquals(Transport.CLIENT_SERVICES, refused(settings(Map.of(Transport.CLIENT_CA, ca.caFile().toString(),
      Transport.CLIENT_SERVICES, "calls:read identity:read"))));
    assertEquals(Transport.CLIENT_AUTH, refused(settings(Map.of(Transport.CLIENT_CA, ca.caFile().toString(),
      Transport.CLIENT_AUTH, "maybe"))));
    assertEquals(Transport.CLUSTER_CA, refused(Map.of(Transport.CLUSTER_CERT, server.cert().toString(),
      Transport.CLUSTER_KEY, server.key().toString())));
  }

  @Test
  void with_require_a_client_without_a_certificate_is_refused_in_the_handshake() {
    Transport transport = Transport.from(Settings.of(settings(Map.of(Transport.CLIENT_CA, ca.caFile().toString(),
      Transport.CLIENT_AUTH, "require", Transport.CLIENT_SERVICES, "billing="))));
    ServerSSLOptions tls = TlsPolicy.serverOptions(transport.http().orElseThrow(), transport.clientCertificates());
    HttpServer listener = Await.result(vertx.createHttpServer(TlsPolicy.apply(new HttpServerOptions(), tls))
      .requestHandler(request -> request.response().end("in")).listen(0, "127.0.0.1"));
    HttpClientAgent anonymous = client(Optional.empty());
    HttpClientAgent billing = client(Optional.of(ca.client("billing")));
    try {
      Await.failure(get(anonymous, listener.actualPort()));
      assertEquals("in", Await.result(get(billing, listener.actualPort())));
    } finally {
      anonymous.close();
      billing.close();
      listener.close();
    }
  }

  private static io.vertx.core.Future<String> get(HttpClientAgent client, int port) {
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/"))
      .compose(request -> request.send())
      .compose(response -> response.body())
      .map(Object::toString);
  }

  private static HttpClientAgent client(Optional<TestCertificates.Files> certificate) {
    HttpClientOptions options = new HttpClientOptions().setSsl(true).setTrustOptions(ca.trust()).setVerifyHost(true);
    certificate.ifPresent(files -> options.setKeyCertOptions(files.keyCert()));
    return vertx.createHttpClient(options);
  }

  private static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> all = new HashMap<>(Map.of(Transport.HTTP_CERT, server.cert().toString(),
      Transport.HTTP_KEY, server.key().toString()));
    all.putAll(extra);
    return all;
  }

  private static String refused(Map<String, String> values) {
    ConfigException e = assertThrows(ConfigException.class, () -> Transport.from(Settings.of(values)));
    assertTrue(e.getMessage().startsWith(e.key()), e.getMessage());
    return e.key();
  }
}
