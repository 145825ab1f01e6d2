package io.auralink.comm.cli;

import io.auralink.comm.platform.config.ConfigException;

import java.io.Console;
import java.lang.reflect.Method;
import java.util.Map;

/**
 * Chooses the log output before the first logger exists: JSON lines for {@code start}, a readable console
 * format for {@code start-dev} and the tools; {@code AURALINK_LOG_FORMAT} overrides either. The console format is
 * coloured only when standard output is a terminal (and {@code NO_COLOR} is unset), so a log redirected to a file
 * or a pipe holds no escape sequences.
 */
final class Logging {

  static final String FORMAT_PROPERTY = "auralink.log.format";
  static final String FORMAT_SETTING = "AURALINK_LOG_FORMAT";

  /** The appenders of {@code logback.xml}, by name. */
  static final String JSON = "json";
  static final String CONSOLE = "console";
  static final String CONSOLE_COLOUR = "console-colour";

  private Logging() {
  }

  static void configure(Map<String, String> environment, boolean readable) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    String appender = appender(environment, readable, stdoutIsTerminal());
    if (System.getProperty(FORMAT_PROPERTY) == null) {
      System.setProperty(FORMAT_PROPERTY, appender);
    }
  }

  /** The appender for a command ({@code readable}: not {@code start}) writing to a terminal or not. */
  static String appender(Map<String, String> environment, boolean readable, boolean terminal) {
    String format = environment.getOrDefault(FORMAT_SETTING, readable ? CONSOLE : JSON);
    return switch (format) {
      case JSON -> JSON;
      case CONSOLE -> terminal && !environment.containsKey("NO_COLOR") ? CONSOLE_COLOUR : CONSOLE;
      default -> throw new ConfigException(FORMAT_SETTING, "must be json or console, not '" + format + "'");
    };
  }

  /**
   * Whether standard output is a terminal. Up to JDK 21 a console exists only when standard input and output
   * both are one; from JDK 22 on a console always exists and {@code isTerminal()} tells.
   */
  static boolean stdoutIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
