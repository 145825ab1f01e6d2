package io.auralink.comm.platform.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Transport security: the certificates of the node's listeners (internal API, Matrix Application Service), the
 * client certificates the API accepts in place of service tokens, the cluster's event-bus certificates, and the CA
 * bundles outbound connections and the stores are verified against. Each file is checked to be readable at start,
 * so a typo fails the start naming its key rather than the first handshake.
 */
public record Transport(Optional<ListenerTls> http, Optional<ClientCertificates> clientCertificates,
                        Optional<ListenerTls> matrixAs, Optional<ClusterTls> cluster, Optional<Path> outboundCa,
                        Duration reloadInterval) {

  private static final String P = Settings.PREFIX;
  public static final String HTTP_CERT = P + "HTTP_TLS_CERT";
  public static final String HTTP_KEY = P + "HTTP_TLS_KEY";
  public static final String CLIENT_CA = P + "HTTP_TLS_CLIENT_CA";
  public static final String CLIENT_AUTH = P + "HTTP_TLS_CLIENT_AUTH";
  public static final String CLIENT_SERVICES = P + "HTTP_TLS_CLIENT_SERVICES";
  public static final String MATRIX_AS_CERT = P + "MATRIX_AS_TLS_CERT";
  public static final String MATRIX_AS_KEY = P + "MATRIX_AS_TLS_KEY";
  public static final String CLUSTER_CERT = P + "CLUSTER_TLS_CERT";
  public static final String CLUSTER_KEY = P + "CLUSTER_TLS_KEY";
  public static final String CLUSTER_CA = P + "CLUSTER_TLS_CA";
  public static final String OUTBOUND_CA = P + "OUTBOUND_CA_FILE";
  public static final String DATABASE_CA = P + "DATABASE_CA_FILE";
  public static final String REDIS_CA = P + "REDIS_CA_FILE";
  public static final String RELOAD_INTERVAL = P + "TLS_RELOAD_INTERVAL";

  /** A listener's certificate chain and private key, PEM files that may be replaced while the node runs. */
  public record ListenerTls(Path cert, Path key) {
  }

  /** Whether the API asks connecting clients for a certificate ({@code request}) or refuses those without one. */
  public enum ClientAuthMode {
    REQUEST, REQUIRE
  }

  /**
   * Client certificates issued by {@code ca} authenticate services: {@code services} maps a certificate's subject
   * common name to the service name and scopes it acts with.
   */
  public record ClientCertificates(Path ca, ClientAuthMode mode, Map<String, Set<String>> services) {
  }

  /** The event bus's certificate and key, and the cluster CA every member's certificate must come from. */
  public record ClusterTls(Path cert, Path key, Path ca) {
  }

  public static Transport from(Settings s) {
    Optional<ListenerTls> http = listener(s, HTTP_CERT, HTTP_KEY);
    Optional<ClientCertificates> clients = s.optional(CLIENT_CA).map(ca -> {
      if (http.isEmpty()) {
        throw new ConfigException(CLIENT_CA, "needs " + HTTP_CERT + " and " + HTTP_KEY + ": client certificates "
          + "are only asked for over TLS");
      }
      String mode = s.string(CLIENT_AUTH, "request");
      if (!mode.equals("request") && !mode.equals("require")) {
        throw new ConfigException(CLIENT_AUTH, "must be request or require, got " + mode);
      }
      return new ClientCertificates(readable(CLIENT_CA, ca), ClientAuthMode.valueOf(mode.toUpperCase()),
        services(s.string(CLIENT_SERVICES, "")));
    });
    if (clients.isEmpty() && (s.optional(CLIENT_SERVICES).isPresent() || s.optional(CLIENT_AUTH).isPresent())) {
      throw new ConfigException(CLIENT_CA, "is required when " + CLIENT_SERVICES + " or " + CLIENT_AUTH + " is set");
    }
    Optional<ClusterTls> cluster = Optional.empty();
    if (s.optional(CLUSTER_CERT).isPresent() || s.optional(CLUSTER_KEY).isPresent() || s.optional(CLUSTER_CA).isPresent()) {
      cluster = Optional.of(new ClusterTls(
        readable(CLUSTER_CERT, s.required(CLUSTER_CERT, "with " + CLUSTER_KEY + " and " + CLUSTER_CA)),
        readable(CLUSTER_KEY, s.required(CLUSTER_KEY, "with " + CLUSTER_CERT + " and " + CLUSTER_CA)),
        readable(CLUSTER_CA, s.required(CLUSTER_CA, "with " + CLUSTER_CERT + " and " + CLUSTER_KEY))));
    }
    Duration reload = s.duration(RELOAD_INTERVAL, Duration.ofSeconds(30));
    if (reload.toMillis() < 100) {
      throw new ConfigException(RELOAD_INTERVAL, "must be at least 100ms");
    }
    return new Transport(http, clients, listener(s, MATRIX_AS_CERT, MATRIX_AS_KEY), cluster,
      s.optional(OUTBOUND_CA).map(f -> readable(OUTBOUND_CA, f)),
      reload);
  }

  private static Optional<ListenerTls> listener(Settings s, String certKey, String keyKey) {
    Optional<String> cert = s.optional(certKey);
    Optional<String> key = s.optional(keyKey);
    if (cert.isEmpty() && key.isEmpty()) {
      return Optional.empty();
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException(cert.isEmpty() ? certKey : keyKey, "must be set together with "
        + (cert.isEmpty() ? keyKey : certKey));
    }
    return Optional.of(new ListenerTls(readable(certKey, cert.get()), readable(keyKey, key.get())));
  }

  static Path readable(String key, String file) {
    Path path = Path.of(file).toAbsolutePath().normalize();
    if (!Files.isReadable(path)) {
      throw new ConfigException(key, "names a file that does not exist or cannot be read: " + path);
    }
    return path;
  }

  /**
   * Parses {@code billing=calls:read identity:read;dashboard=presence:read}: entries separated by {@code ;}, each a
   * certificate common name, {@code =}, and the service's scopes separated by spaces (possibly none). The common
   * name is the service's name in logs and in the caller the domains see.
   */
  static Map<String, Set<String>> services(String spec) {
    Map<String, Set<String>> services = new LinkedHashMap<>();
    for (String entry : spec.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      String name = eq < 0 ? "" : entry.substring(0, eq).trim();
      if (!name.matches("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$") || name.startsWith("@")) {
        throw new ConfigException(CLIENT_SERVICES, "lists entries as commonName=scope scope…, separated by ';', "
          + "got '" + entry.trim() + "'");
      }
      Set<String> scopes = new LinkedHashSet<>();
      for (String scope : entry.substring(eq + 1).trim().split("\\s+")) {
        if (!scope.isEmpty()) {
          scopes.add(scope);
        }
      }
      if (services.put(name, Set.copyOf(scopes)) != null) {
        throw new ConfigException(CLIENT_SERVICES, "names the certificate " + name + " twice");
      }
    }
    return Map.copyOf(services);
  }
}
