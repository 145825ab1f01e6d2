package io.auralink.comm.cli;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.tls.CertificateAuthority;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * start-dev's transport security, so that the secure path is the one developers run: a local CA and a node
 * certificate under {@code <data dir>/tls} (created once, kept; keys owner-readable only) serve the API listener
 * over TLS and the event bus with client authentication. The Matrix AS listener stays plain unless configured: the
 * development homeserver would have to be taught the local CA first. {@code AURALINK_DEV_TLS=false} turns it off;
 * a certificate configured explicitly wins. Clients trust {@code <data dir>/tls/ca.pem}
 * ({@code curl --cacert}).
 */
final class DevCertificates {

  static final String SWITCH = Settings.PREFIX + "DEV_TLS";
  static final String DIR = "tls";
  static final String CA = "ca.pem";
  private static final String CA_KEY = "ca-key.pem";
  private static final String NODE = "node.pem";
  private static final String NODE_KEY = "node-key.pem";
  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration NODE_VALIDITY = Duration.ofDays(825);

  private DevCertificates() {
  }

  /** The settings that put the listeners and the event bus on the development certificates (none when off). */
  static Map<String, String> settings(Settings settings, Path dataDir) {
    if (!settings.bool(SWITCH, true)) {
      return Map.of();
    }
    Path dir = dataDir.resolve(DIR);
    Path caFile = dir.resolve(CA);
    Path nodeFile = dir.resolve(NODE);
    Path nodeKey = dir.resolve(NODE_KEY);
    if (!Files.isRegularFile(caFile) || !Files.isRegularFile(dir.resolve(CA_KEY))) {
      CertificateAuthority.create("AuraLink development CA " + dataDir.getFileName(), CA_VALIDITY)
        .writeTo(caFile, dir.resolve(CA_KEY));
    }
    Set<String> hosts = hosts(settings);
    if (!Files.isRegularFile(nodeFile) || !Files.isRegularFile(nodeKey) || !hosts.equals(recordedHosts(dir))) {
      CertificateAuthority.load(caFile, dir.resolve(CA_KEY))
        .issue("auralink-dev-node", List.copyOf(hosts), CertificateAuthority.Usage.MEMBER, NODE_VALIDITY)
        .writeTo(nodeFile, nodeKey);
      recordHosts(dir, hosts);
    }
    Map<String, String> overrides = new HashMap<>();
    if (settings.optional(Transport.HTTP_CERT).isEmpty() && settings.optional(Transport.HTTP_KEY).isEmpty()) {
      overrides.put(Transport.HTTP_CERT, nodeFile.toString());
      overrides.put(Transport.HTTP_KEY, nodeKey.toString());
    }
    if (settings.optional(Transport.CLUSTER_CERT).isEmpty() && settings.optional(Transport.CLUSTER_CA).isEmpty()) {
      overrides.put(Transport.CLUSTER_CERT, nodeFile.toString());
      overrides.put(Transport.CLUSTER_KEY, nodeKey.toString());
      overrides.put(Transport.CLUSTER_CA, caFile.toString());
    }
    return overrides;
  }

  /** The names the node is reached by: loopback, and the configured hosts unless they are wildcards. */
  private static Set<String> hosts(Settings settings) {
    Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    for (String key : List.of(Settings.PREFIX + "HTTP_HOST", Settings.PREFIX + "CLUSTER_HOST")) {
      settings.optional(key).filter(h -> !h.equals("0.0.0.0") && !h.equals("::")).ifPresent(hosts::add);
    }
    return hosts;
  }

  private static Set<String> recordedHosts(Path dir) {
    try {
      return new LinkedHashSet<>(Files.readAllLines(dir.resolve("node-hosts")));
    } catch (java.io.IOException e) {
      return Set.of();
    }
  }

  private static void recordHosts(Path dir, Set<String> hosts) {
    try {
      Files.write(dir.resolve("node-hosts"), hosts);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + dir.resolve("node-hosts"), e);
    }
  }

  /** For the start-up banner: how clients reach the API. */
  static String howToConnect(Settings settings, Path dataDir) {
    return "curl --cacert " + dataDir.resolve(DIR).resolve(CA) + " https://127.0.0.1:"
      + settings.integer(AppConfig.Http.PORT, 8001, 0, 65535) + "/health";
  }
}
