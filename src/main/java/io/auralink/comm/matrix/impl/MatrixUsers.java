package io.auralink.comm.matrix.impl;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mapping between AuraIDs and the bridge's Matrix users: {@code @<username>.aura} is
 * {@code @<username>_aura:<server name>} (the identity domain provisions exactly these).
 */
final class MatrixUsers {

  private static final Pattern USER = Pattern.compile("^@([a-z0-9][a-z0-9_]{2,19})_aura:(.+)$");

  private final String serverName;

  MatrixUsers(String serverName) {
    this.serverName = serverName;
  }

  /** The AuraID of one of our Matrix users, or empty for any other Matrix user. */
  Optional<String> auraId(String matrixUserId) {
    if (matrixUserId == null) {
      return Optional.empty();
    }
    Matcher m = USER.matcher(matrixUserId);
    return m.matches() && m.group(2).equals(serverName) ? Optional.of("@" + m.group(1) + ".aura") : Optional.empty();
  }

  /** The Matrix user of an AuraID. */
  String matrixUserId(String auraId) {
    return "@" + auraId.substring(1, auraId.length() - ".aura".length()) + "_aura:" + serverName;
  }

  /** The localpart a user is registered with: {@code <username>_aura}. */
  static String localpart(String matrixUserId) {
    return matrixUserId.substring(1, matrixUserId.indexOf(':'));
  }
}
