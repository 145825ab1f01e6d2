package io.auralink.comm.platform.tls;

import io.auralink.comm.platform.config.Transport;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TCPSSLOptions;

import javax.net.ssl.SSLContext;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one TLS policy of every listener and of the event bus: TLS 1.3, with 1.2 still allowed for older clients
 * (the server picks the highest both speak, so 1.3 whenever the client has it); forward-secret AEAD suites only
 * (ECDHE with AES-GCM or ChaCha20-Poly1305, which are also the suites HTTP/2 accepts); HTTP/2 offered by ALPN.
 * Certificates and keys are PEM files read by Vert.x when it builds the TLS context, which it does off the event
 * loop.
 */
public final class TlsPolicy {

  public static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

  /** JDK names; TLS 1.3's three suites first, then the TLS 1.2 ones. */
  public static final List<String> CIPHER_SUITES = List.of(
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsPolicy() {
  }

  /** A listener's TLS with an optional client-certificate CA; also what a certificate reload hands the server. */
  public static ServerSSLOptions serverOptions(Transport.ListenerTls listener, Optional<Transport.ClientCertificates> clients) {
    ServerSSLOptions options = new ServerSSLOptions()
      .setKeyCertOptions(keyCert(listener.cert().toString(), listener.key().toString()))
      .setUseAlpn(true)
      .setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHER_SUITES.forEach(options::addEnabledCipherSuite);
    clients.ifPresent(c -> options
      .setTrustOptions(new PemTrustOptions().addCertPath(c.ca().toString()))
      .setClientAuth(c.mode() == Transport.ClientAuthMode.REQUIRE ? ClientAuth.REQUIRED : ClientAuth.REQUEST));
    return options;
  }

  /** Copies a listener's TLS onto the options its server is created with. */
  public static <T extends NetServerOptions> T apply(T server, ServerSSLOptions tls) {
    server.setSsl(true)
      .setKeyCertOptions(tls.getKeyCertOptions())
      .setUseAlpn(tls.isUseAlpn())
      .setEnabledSecureTransportProtocols(tls.getEnabledSecureTransportProtocols())
      .setClientAuth(tls.getClientAuth());
    if (tls.getTrustOptions() != null) {
      server.setTrustOptions(tls.getTrustOptions());
    }
    tls.getEnabledCipherSuites().forEach(server::addEnabledCipherSuite);
    return server;
  }

  /**
   * The event bus between members: its server and its client both present the member's certificate and accept
   * only peers whose certificate the cluster CA issued, so a process without one can neither send nor receive.
   */
  public static void applyCluster(TCPSSLOptions eventBus, Transport.ClusterTls cluster) {
    eventBus.setSsl(true)
      .setKeyCertOptions(keyCert(cluster.cert().toString(), cluster.key().toString()))
      .setTrustOptions(new PemTrustOptions().addCertPath(cluster.ca().toString()))
      .setEnabledSecureTransportProtocols(PROTOCOLS);
    CIPHER_SUITES.forEach(eventBus::addEnabledCipherSuite);
  }

  /**
   * The JDK's TLS machinery initialises itself on first use, loading its CA store and probing ALPN: half a second
   * or more on a busy machine. Done here, on the caller's thread before Vert.x starts, so that no event loop pays
   * for it with the first connection (as Node does for Netty's allocator).
   */
  public static void warmUp() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, null, null);
      context.createSSLEngine().getSupportedCipherSuites();
      JdkSSLEngineOptions.isAlpnAvailable();
      // Vert.x's list of the JDK's suites is built once, in a static initialiser.
      Class.forName("io.vertx.core.spi.tls.DefaultJDKCipherSuite", true, TlsPolicy.class.getClassLoader());
    } catch (GeneralSecurityException | ClassNotFoundException e) {
      throw new IllegalStateException("this JDK cannot do TLS: " + e.getMessage(), e);
    }
  }

  private static PemKeyCertOptions keyCert(String cert, String key) {
    return new PemKeyCertOptions().setCertPath(cert).setKeyPath(key);
  }
}
