package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.IdentityError;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one username grammar. Input is case-insensitive (folded to lower case) but ASCII only, so that no Unicode
 * look-alike folds into someone else's name; stored form {@code ^[a-z0-9][a-z0-9_]{2,19}$}; AuraID
 * {@code @<username>.aura}. Reserved names come from {@code identity/reserved-usernames.txt} plus configuration.
 */
public final class Usernames {

  public static final Pattern CANONICAL = Pattern.compile("^[a-z0-9][a-z0-9_]{2,19}$");
  private static final Pattern ASCII_INPUT = Pattern.compile("^[A-Za-z0-9_]+$");
  private static final Pattern AURA_ID_INPUT = Pattern.compile("^@([A-Za-z0-9_]+)\\.(?i:aura)$");
  private static final String MALFORMED =
    "username must be 3 to 20 letters, digits or underscores, not starting with an underscore";
  private static final String RESERVED_RESOURCE = "/identity/reserved-usernames.txt";

  private final Set<String> reserved;

  public Usernames(Collection<String> extraReserved) {
    Set<String> all = new HashSet<>(shippedReserved());
    extraReserved.forEach(name -> all.add(name.trim().toLowerCase(Locale.ROOT)));
    this.reserved = Set.copyOf(all);
  }

  /** The canonical username, or the reason this input cannot be one. */
  public Result check(String input) {
    if (input == null || !ASCII_INPUT.matcher(input).matches()) {
      return Result.refused(IdentityError.VALIDATION_FAILED, MALFORMED);
    }
    String username = input.toLowerCase(Locale.ROOT);
    if (!CANONICAL.matcher(username).matches()) {
      return Result.refused(IdentityError.VALIDATION_FAILED, MALFORMED);
    }
    if (reserved.contains(username)) {
      return Result.refused(IdentityError.AURAID_RESERVED, "'" + username + "' is reserved");
    }
    return new Result(username, null, null);
  }

  /** The canonical AuraID for an input such as {@code @Alice.aura}, or empty if it cannot be one. */
  public static Optional<String> canonicalAuraId(String input) {
    if (input == null) {
      return Optional.empty();
    }
    var matcher = AURA_ID_INPUT.matcher(input);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String username = matcher.group(1).toLowerCase(Locale.ROOT);
    return CANONICAL.matcher(username).matches() ? Optional.of(auraId(username)) : Optional.empty();
  }

  public static String auraId(String username) {
    return "@" + username + ".aura";
  }

  public static String username(String auraId) {
    return auraId.substring(1, auraId.length() - ".aura".length());
  }

  /** A username check's outcome: the canonical name, or the refusal code and why. */
  public record Result(String username, IdentityError refusal, String reason) {
    static Result refused(IdentityError code, String reason) {
      return new Result(null, code, reason);
    }

    public boolean ok() {
      return refusal == null;
    }
  }

  private static Set<String> shippedReserved() {
    try (InputStream in = Usernames.class.getResourceAsStream(RESERVED_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESERVED_RESOURCE + " is missing from the classpath");
      }
      Set<String> names = new HashSet<>();
      new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
        .map(String::trim)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
      return names;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
