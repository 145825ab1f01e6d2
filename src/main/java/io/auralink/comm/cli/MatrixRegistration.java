package io.auralink.comm.cli;

import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.ConfigException;

/**
 * The Application Service registration file a homeserver loads ({@code app_service_config_files}): the service's
 * id, URL and tokens, and an exclusive user namespace covering every AuraID's Matrix user
 * ({@code @<username>_aura:<server_name>}), so that only this service can create them. The URL is
 * {@code AURALINK_MATRIX_AS_URL}, else the bridge's own listener on this machine.
 */
final class MatrixRegistration {

  private MatrixRegistration() {
  }

  static String yaml(AppConfig.Matrix matrix, AppConfig.MatrixBridge bridge) {
    return yaml(matrix, bridge, false);
  }

  /** {@code tls}: the listener has a certificate, so the homeserver reaches it over https. */
  static String yaml(AppConfig.Matrix matrix, AppConfig.MatrixBridge bridge, boolean tls) {
    String asToken = matrix.asToken().orElseThrow(() -> new ConfigException(AppConfig.Matrix.AS_TOKEN,
      "is required: the homeserver needs the token this service authenticates with"));
    String hsToken = matrix.hsToken().orElseThrow(() -> new ConfigException(AppConfig.Matrix.HS_TOKEN,
      "is required: the homeserver needs the token it authenticates to this service with"));
    if (asToken.equals(hsToken)) {
      throw new ConfigException(AppConfig.Matrix.HS_TOKEN, "must differ from " + AppConfig.Matrix.AS_TOKEN);
    }
    return "# Matrix Application Service registration for AuraLink Comm; list this file in the homeserver's\n"
      + "# app_service_config_files and restart it.\n"
      + "id: " + quote(matrix.asId()) + "\n"
      + "url: " + quote(matrix.asUrl().orElse(bridge.localUrl(tls))) + "\n"
      + "as_token: " + quote(asToken) + "\n"
      + "hs_token: " + quote(hsToken) + "\n"
      + "sender_localpart: " + quote(matrix.senderLocalpart()) + "\n"
      + "rate_limited: false\n"
      + "namespaces:\n"
      + "  users:\n"
      + "    - exclusive: true\n"
      + "      regex: " + quote(userNamespace(matrix.serverName())) + "\n"
      + "  aliases: []\n"
      + "  rooms: []\n";
  }

  /** Every AuraID's Matrix user, and nothing else, on this server. */
  static String userNamespace(String serverName) {
    // A server name is a host name, an IPv4 address or a bracketed IPv6 address, with an optional port.
    return "@[a-z0-9][a-z0-9_]*_aura:" + serverName.replaceAll("[.\\[\\]]", "\\\\$0");
  }

  /** A YAML single-quoted scalar: backslashes stay literal, quotes are doubled. */
  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
