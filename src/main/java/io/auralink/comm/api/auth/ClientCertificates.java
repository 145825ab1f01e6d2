package io.auralink.comm.api.auth;

import io.auralink.comm.api.ApiException;
import io.auralink.comm.api.EdgeError;
import io.auralink.comm.platform.config.Transport;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Mutual TLS for services: a client certificate the listener verified against {@code AURALINK_HTTP_TLS_CLIENT_CA}
 * stands for the service its subject common name maps to in {@code AURALINK_HTTP_TLS_CLIENT_SERVICES}, with that
 * entry's scopes, until the certificate expires. The principal is worked out once per TLS session and kept in it.
 */
public final class ClientCertificates {

  private static final String SESSION_KEY = "auralink.principal";
  private static final ClientCertificates NONE = new ClientCertificates(Optional.empty());

  private final Map<String, Set<String>> services;
  private final boolean enabled;

  public ClientCertificates(Optional<Transport.ClientCertificates> config) {
    this.enabled = config.isPresent();
    this.services = config.map(Transport.ClientCertificates::services).orElse(Map.of());
  }

  public static ClientCertificates none() {
    return NONE;
  }

  /**
   * The principal of the request's client certificate: empty when client certificates are off or the client sent
   * none; failed with a 401 when the certificate maps to no service.
   */
  Optional<Future<Principal>> principal(HttpServerRequest request) {
    if (!enabled || !request.isSSL()) {
      return Optional.empty();
    }
    SSLSession session = request.sslSession();
    if (session == null) {
      return Optional.empty();
    }
    // A resumed session keeps its principal; the certificate's validity is checked again on every use of it.
    if (session.getValue(SESSION_KEY) instanceof Principal known && Instant.now().isBefore(known.expiresAt())) {
      return Optional.of(Future.succeededFuture(known));
    }
    X509Certificate certificate;
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate first)) {
        return Optional.empty();
      }
      certificate = first;
    } catch (SSLPeerUnverifiedException noCertificate) {
      return Optional.empty();
    }
    if (!Instant.now().isBefore(certificate.getNotAfter().toInstant())) {
      return Optional.of(Future.failedFuture(ApiException.unauthorized(EdgeError.AUTH_REQUIRED,
        "the client certificate has expired; a Bearer token is required")));
    }
    String name = commonName(certificate).orElse("");
    Set<String> scopes = services.get(name);
    if (scopes == null) {
      return Optional.of(Future.failedFuture(ApiException.unauthorized(EdgeError.AUTH_REQUIRED,
        "the client certificate '" + certificate.getSubjectX500Principal().getName()
          + "' is not mapped to a service; a Bearer token is required")));
    }
    Principal principal = new Principal(Principal.Kind.SERVICE, name, scopes, certificate.getNotAfter().toInstant());
    session.putValue(SESSION_KEY, principal);
    return Optional.of(Future.succeededFuture(principal));
  }

  static Optional<String> commonName(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      // an unreadable subject has no common name
    }
    return Optional.empty();
  }
}
