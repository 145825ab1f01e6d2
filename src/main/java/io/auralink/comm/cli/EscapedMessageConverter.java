package io.auralink.comm.cli;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} of the console formats with every control character escaped ({@code \n}, {@code \r}, {@code \t},
 * {@code \u001b}...): one event is one line, whatever a caller managed to put in a logged value (a line break that
 * would forge a second entry, a terminal escape sequence). The JSON format escapes them by being JSON.
 */
public final class EscapedMessageConverter extends MessageConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return escape(super.convert(event));
  }

  static String escape(String message) {
    if (message == null) {
      return null;
    }
    StringBuilder escaped = null;
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
      if (control && escaped == null) {
        escaped = new StringBuilder(message.length() + 16).append(message, 0, i);
      }
      if (escaped == null) {
        continue;
      }
      if (!control) {
        escaped.append(c);
      } else if (c == '\n') {
        escaped.append("\\n");
      } else if (c == '\r') {
        escaped.append("\\r");
      } else if (c == '\t') {
        escaped.append("\\t");
      } else {
        escaped.append(String.format("\\u%04x", (int) c));
      }
    }
    return escaped == null ? message : escaped.toString();
  }
}
