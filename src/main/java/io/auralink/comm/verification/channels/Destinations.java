package io.auralink.comm.verification.channels;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Normalising and masking destinations: what is stored is normalised, what is shown or logged is masked. */
public final class Destinations {

  /** E.164: a plus, a non-zero country digit, at most 15 digits in all. */
  public static final Pattern E164 = Pattern.compile("^\\+[1-9][0-9]{6,14}$");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+$");
  private static final int MAX_EMAIL = 254;

  private Destinations() {
  }

  /** The address in lower case, if it looks like one. */
  public static Optional<String> email(String input) {
    if (input == null) {
      return Optional.empty();
    }
    String trimmed = input.trim().toLowerCase(Locale.ROOT);
    return trimmed.length() <= MAX_EMAIL && EMAIL.matcher(trimmed).matches() ? Optional.of(trimmed) : Optional.empty();
  }

  /** The number if it is E.164 (spaces, dashes and parentheses dropped first). */
  public static Optional<String> phone(String input) {
    if (input == null) {
      return Optional.empty();
    }
    String compact = input.replaceAll("[\\s()\\-.]", "");
    return E164.matcher(compact).matches() ? Optional.of(compact) : Optional.empty();
  }

  /** {@code a***@example.com}, {@code +1******4567}; null stays null. */
  public static String mask(String method, String destination) {
    if (destination == null) {
      return null;
    }
    if ("social".equals(method)) {
      int colon = destination.indexOf(':');
      return colon < 0 ? destination : destination.substring(0, colon) + ":***";
    }
    if ("email".equals(method)) {
      int at = destination.indexOf('@');
      return at <= 0 ? "***" : destination.charAt(0) + "***" + destination.substring(at);
    }
    if (destination.length() <= 6) {
      return "***";
    }
    return destination.substring(0, 2) + "*".repeat(destination.length() - 6)
      + destination.substring(destination.length() - 4);
  }
}
