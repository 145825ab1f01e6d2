package io.auralink.comm.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The console formats' message: control characters escaped, so that one event is one line. */
class EscapedMessageConverterTest {

  @Test
  void a_forged_line_break_and_a_terminal_escape_are_escaped() {
    LoggerContext context = new LoggerContext();
    LoggingEvent event = new LoggingEvent("x", context.getLogger("test"), Level.INFO,
      "request from {}", null, new Object[]{"svc\nINFO forged\r\u001b[2J\t\u0085end"});
    assertEquals("request from svc\\nINFO forged\\r\\u001b[2J\\t\\u0085end", new EscapedMessageConverter().convert(event));
  }

  @Test
  void a_clean_message_is_passed_as_it_is() {
    String clean = "node started node_id=1 roles=[API] é 😀";
    assertSame(clean, EscapedMessageConverter.escape(clean));
  }
}
