package io.auralink.comm.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * The one check every text of a request passes before anything stores it: no control characters (C0 and C1, DEL)
 * other than tab, line feed and carriage return, and no lone UTF-16 surrogate. PostgreSQL refuses NUL in text
 * ({@code 22021}) and in JSON ({@code 22P05}), a lone surrogate cannot be written as UTF-8, and the others forge lines
 * and escape sequences wherever the text is shown. Every string of a validated body (property names included) and
 * every parameter goes through it, so no field of any operation can carry one; a refusal is a 400 naming the field.
 */
final class TextSafety {

  static final String PROBLEM = "must not contain control characters (other than tab and line breaks)";

  private TextSafety() {
  }

  /** True when {@code text} may be stored and shown as it is. */
  static boolean isSafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20) {
        if (c != '\t' && c != '\n' && c != '\r') {
          return false;
        }
      } else if (c >= 0x7f && c <= 0x9f) {
        return false;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** Records a violation for each unsafe string in a decoded JSON value; {@code field} names the value itself. */
  static void check(Object value, String field, Violations violations) {
    if (value instanceof String text) {
      if (!isSafe(text)) {
        violations.invalid(field.isEmpty() ? "body" : field, PROBLEM);
      }
    } else if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        String key = entry.getKey();
        String child = field.isEmpty() ? printable(key) : field + "." + printable(key);
        if (!isSafe(key)) {
          violations.add(child, "property name " + child + " " + PROBLEM);
        } else {
          check(entry.getValue(), child, violations);
        }
      }
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        check(array.getValue(i), (field.isEmpty() ? "body" : field) + "[" + i + "]", violations);
      }
    } else if (value instanceof Map<?, ?> map) {
      check(new JsonObject(castMap(map)), field, violations);
    } else if (value instanceof List<?> list) {
      check(new JsonArray(list), field, violations);
    }
  }

  /** A name as an answer may quote it: control characters and lone surrogates as {@code \\uXXXX}. */
  static String printable(String text) {
    if (isSafe(text) && text.indexOf('\n') < 0 && text.indexOf('\r') < 0 && text.indexOf('\t') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
        && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        out.append(c).append(text.charAt(++i));
      } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }
}
