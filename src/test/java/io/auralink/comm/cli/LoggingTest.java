package io.auralink.comm.cli;

import io.auralink.comm.platform.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which log output a command gets: JSON for start, the console format otherwise, coloured only on a terminal. */
class LoggingTest {

  private static final boolean START = false;
  private static final boolean START_DEV = true;

  @Test
  void start_writes_json_and_start_dev_the_console_format() {
    assertEquals("json", Logging.appender(Map.of(), START, true));
    assertEquals("console-colour", Logging.appender(Map.of(), START_DEV, true));
  }

  @Test
  void the_console_format_is_plain_when_the_output_is_no_terminal() {
    assertEquals("console", Logging.appender(Map.of(), START_DEV, false));
    assertEquals("console", Logging.appender(Map.of("AURALINK_LOG_FORMAT", "console"), START, false));
  }

  @Test
  void no_color_turns_colours_off_on_a_terminal() {
    assertEquals("console", Logging.appender(Map.of("NO_COLOR", "1"), START_DEV, true));
  }

  @Test
  void the_setting_overrides_the_command_default() {
    assertEquals("json", Logging.appender(Map.of("AURALINK_LOG_FORMAT", "json"), START_DEV, true));
    assertEquals("console-colour", Logging.appender(Map.of("AURALINK_LOG_FORMAT", "console"), START, true));
  }

  @Test
  void an_unknown_format_is_refused_naming_the_setting() {
    ConfigException e = assertThrows(ConfigException.class,
      () -> Logging.appender(Map.of("AURALINK_LOG_FORMAT", "xml"), START, false));
    assertEquals("AURALINK_LOG_FORMAT", e.key());
  }

  @Test
  void the_test_run_writes_to_no_terminal() {
    // Surefire redirects the output of the forked JVM: the way `java -jar … > file` is seen.
    assertFalse(Logging.stdoutIsTerminal());
  }
}
