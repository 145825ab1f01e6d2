package io.auralink.comm.platform.config;

import java.time.Duration;

/**
 * One rate limit: at most {@code requests} in any {@code window} (a sliding window, whole seconds). A shadow quota is
 * counted, logged and measured but never refuses, so that a new limit can be watched before it is enforced.
 * Written {@code 100/1m}, {@code 10/1h shadow}.
 */
public record Quota(int requests, Duration window, boolean shadow) {

  private static final Duration MAX_WINDOW = Duration.ofDays(1);
  private static final int MAX_REQUESTS = 100_000;

  public Quota {
    if (requests < 1 || requests > MAX_REQUESTS) {
      throw new IllegalArgumentException("the request count must be from 1 to " + MAX_REQUESTS);
    }
    if (window.toSeconds() < 1 || window.compareTo(MAX_WINDOW) > 0 || window.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("the window must be whole seconds from 1s to 24h");
    }
  }

  /** Parses {@code <requests>/<window>[ shadow]}; the key names the setting in the error. */
  public static Quota parse(String key, String text) {
    String value = text.trim();
    boolean shadow = false;
    if (value.endsWith(" shadow")) {
      shadow = true;
      value = value.substring(0, value.length() - " shadow".length()).trim();
    }
    int slash = value.indexOf('/');
    try {
      if (slash <= 0) {
        throw new IllegalArgumentException("expected requests/window");
      }
      return new Quota(Integer.parseInt(value.substring(0, slash).trim()),
        Durations.parse(value.substring(slash + 1).trim()), shadow);
    } catch (RuntimeException e) {
      throw new ConfigException(key, "must be a quota such as 100/1m or 10/1h shadow (requests from 1 to "
        + MAX_REQUESTS + ", a window of whole seconds up to 24h), got '" + text.trim() + "'");
    }
  }

  public long windowSeconds() {
    return window.toSeconds();
  }

  @Override
  public String toString() {
    return requests + "/" + window.toSeconds() + "s" + (shadow ? " shadow" : "");
  }
}
