package io.auralink.comm.platform;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The AuraID grammar every domain shares, and the words a malformed one is refused with. An AuraID is
 * {@code @<username>.aura}; input is case-insensitive but ASCII only (so that no Unicode look-alike, such as the
 * Kelvin sign, folds into someone else's name) and is stored in lower case. The OpenAPI document's {@code AuraId}
 * schema carries the same pattern and wording, so the edge refuses what a domain would refuse, in the same words.
 */
public final class AuraIds {

  /** What is accepted on input (the same pattern as {@code AuraId} in openapi.yaml). */
  public static final Pattern INPUT = Pattern.compile("^@[A-Za-z0-9][A-Za-z0-9_]{2,19}\\.[Aa][Uu][Rr][Aa]$");
  /** The stored form. */
  public static final Pattern CANONICAL = Pattern.compile("^@[a-z0-9][a-z0-9_]{2,19}\\.aura$");
  /** Says what an AuraID looks like, after the name of the field that held a malformed one. */
  public static final String FORMAT = "must look like @name.aura: an @, then 3 to 20 letters, digits or underscores"
    + " (not starting with an underscore), then .aura";

  private AuraIds() {
  }

  /** The stored form of an AuraID given in any case ({@code @Alice.aura} → {@code @alice.aura}), or empty. */
  public static Optional<String> canonical(String input) {
    return input != null && INPUT.matcher(input).matches()
      ? Optional.of(input.toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** The message for a field that does not hold an AuraID: {@code "aura_id must look like @name.aura: …"}. */
  public static String malformed(String field) {
    return field + " " + FORMAT;
  }
}
