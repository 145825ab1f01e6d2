package io.auralink.comm.platform.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Raw settings: {@code AURALINK_*} environment variables over an optional properties file
 * ({@code AURALINK_CONFIG_FILE}) that uses the same keys. Every typed getter names the key in its error,
 * so a bad value tells the operator exactly which setting to fix.
 */
public final class Settings {

  public static final String PREFIX = "AURALINK_";
  public static final String CONFIG_FILE = PREFIX + "CONFIG_FILE";

  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  /** Reads the config file named by {@code AURALINK_CONFIG_FILE} (if any), then lets the environment override it. */
  public static Settings load(Map<String, String> environment) {
    Map<String, String> merged = new HashMap<>();
    String file = environment.get(CONFIG_FILE);
    if (file != null && !file.isBlank()) {
      merged.putAll(readFile(Path.of(file.trim())));
    }
    environment.forEach((key, value) -> {
      if (key.startsWith(PREFIX)) {
        merged.put(key, value);
      }
    });
    return new Settings(merged);
  }

  public static Settings of(Map<String, String> values) {
    return new Settings(values);
  }

  /** A copy with some keys replaced; used by start-dev to point the node at its embedded stores. */
  public Settings with(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(values);
    merged.putAll(overrides);
    return new Settings(merged);
  }

  private static Map<String, String> readFile(Path path) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(path)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new ConfigException(CONFIG_FILE, "cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> result = new HashMap<>();
    properties.forEach((k, v) -> result.put(k.toString().trim(), v.toString().trim()));
    return result;
  }

  public Optional<String> optional(String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  public String string(String key, String defaultValue) {
    return optional(key).orElse(defaultValue);
  }

  public String required(String key, String why) {
    return optional(key).orElseThrow(() -> new ConfigException(key, "is required " + why));
  }

  public int integer(String key, int defaultValue, int min, int max) {
    return parse(key, defaultValue, Integer::parseInt, v -> v >= min && v <= max, "an integer from " + min + " to " + max);
  }

  public double decimal(String key, double defaultValue, double min, double max) {
    return parse(key, defaultValue, Double::parseDouble, v -> v >= min && v <= max,
      "a number from " + min + " to " + max);
  }

  public long bytes(String key, long defaultValue) {
    return parse(key, defaultValue, Long::parseLong, v -> v > 0, "a positive number of bytes");
  }

  public boolean bool(String key, boolean defaultValue) {
    return parse(key, defaultValue, v -> switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException(v);
    }, v -> true, "true or false");
  }

  public Duration duration(String key, Duration defaultValue) {
    return parse(key, defaultValue, Durations::parse, d -> !d.isNegative(), "a duration such as 500ms, 30s, 10m or 1h");
  }

  public List<String> list(String key, List<String> defaultValue) {
    return optional(key)
      .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
      .orElse(defaultValue);
  }

  private <T> T parse(String key, T defaultValue, Function<String, T> parser,
                      java.util.function.Predicate<T> valid, String expected) {
    Optional<String> raw = optional(key);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    T value;
    try {
      value = parser.apply(raw.get());
    } catch (RuntimeException e) {
      throw new ConfigException(key, "must be " + expected + ", got '" + raw.get() + "'");
    }
    if (!valid.test(value)) {
      throw new ConfigException(key, "must be " + expected + ", got '" + raw.get() + "'");
    }
    return value;
  }
}
