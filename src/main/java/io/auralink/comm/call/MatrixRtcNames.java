package io.auralink.comm.call;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * LiveKit room and participant names exactly as Element Call's token service (element-hq/lk-jwt-service ≥ 0.4)
 * derives them, so that Element Call clients, which compute the same names to match LiveKit participants to MatrixRTC
 * members, find each other: a name is the unpadded standard base64 of SHA-256 over the compact JSON array of its parts,
 * encoded as Go's {@code json.Marshal} writes it (it escapes {@code <>&} and U+2028/U+2029, see {@link #goJson}).
 */
public final class MatrixRtcNames {

  /** The slot the legacy {@code /sfu/get} puts every call in. */
  public static final String LEGACY_SLOT = "m.call#ROOM";

  private static final Base64.Encoder UNPADDED = Base64.getEncoder().withoutPadding();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private MatrixRtcNames() {
  }

  /** The LiveKit room of a MatrixRTC slot: hash of {@code [room_id, slot_id]}. */
  public static String room(String roomId, String slotId) {
    return hash(roomId, slotId);
  }

  /** The LiveKit identity of a {@code /get_token} member: hash of {@code [sub, claimed_device_id, member.id]}. */
  public static String identity(String userId, String deviceId, String memberId) {
    return hash(userId, deviceId, memberId);
  }

  /** The LiveKit identity {@code /sfu/get} gives: {@code {sub}:{device_id}}, not hashed. */
  public static String legacyIdentity(String userId, String deviceId) {
    return userId + ":" + deviceId;
  }

  static String hash(String... parts) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(goJson(parts).getBytes(StandardCharsets.UTF_8));
      return UNPADDED.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /**
   * A JSON array of strings byte for byte as Go's {@code json.Marshal} writes it: no spaces; {@code \b \f \n \r \t}
   * and the other control characters as <code>&#92;u00xx</code> (lower-case hex); {@code <}, {@code >}, {@code &}, U+2028 and
   * U+2029 escaped; everything else, {@code /} and non-ASCII included, as is. A lone surrogate, which Go's decoder
   * would have turned into U+FFFD before hashing, becomes U+FFFD.
   */
  static String goJson(String... items) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < items.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      quote(out, items[i]);
    }
    return out.append(']').toString();
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(out, c);
        default -> {
          if (c < 0x20) {
            unicodeEscape(out, c);
          } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicodeEscape(StringBuilder out, char c) {
    out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF]).append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
  }
}
