package io.auralink.comm.cli;

import java.util.Map;

/**
 * Chooses the log format before the first logger exists: JSON lines for {@code start}, a readable console
 * format for {@code start-dev} and the tools; {@code AURALINK_LOG_FORMAT} overrides either.
 */
final class Logging {

  static final String FORMAT_PROPERTY = "auralink.log.format";

  private Logging() {
  }

  static void configure(Map<String, String> environment, boolean readable) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    String format = environment.getOrDefault("AURALINK_LOG_FORMAT", readable ? "console" : "json");
    if (System.getProperty(FORMAT_PROPERTY) == null) {
      System.setProperty(FORMAT_PROPERTY, format.equals("console") ? "console" : "json");
    }
  }
}
