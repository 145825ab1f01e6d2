package io.auralink.comm.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What is wrong with one request, in plain words, one message per offending field ({@code user_id},
 * {@code links[0].rtt_ms}, a parameter's name): it becomes a single 400 {@code VALIDATION_FAILED} that lists every
 * problem in {@code details.errors} and names the first in {@code details.field}.
 *
 * <p>Schema failures are read from the validator's output units. Only the leaves say what is wrong (a type, an
 * enum, a range, a length, a pattern, a format, a required or an unknown property), and they are explained with
 * the values the schema holds. The units that merely wrap them ("property X does not match schema", a
 * {@code $ref}, the items of an array) are skipped, and so is the {@code additionalProperties} unit that the
 * validator adds for a declared property whose own schema failed: taken as the reason, it hid the real one.
 */
final class Violations {

  /** A schema's own wording for its {@code pattern}, e.g. {@code "must look like @name.aura"}. */
  static final String PATTERN_MESSAGE = "x-pattern-message";

  /** The keywords whose failure is a reason in itself; every other keyword only wraps failures below it. */
  private static final Set<String> LEAVES = Set.of("type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern", "format", "minItems", "maxItems",
    "uniqueItems", "minProperties", "maxProperties", "not");

  /** Made at the first problem: a valid request, the common case, allocates nothing more. */
  private Map<String, String> byField;

  boolean isEmpty() {
    return byField == null;
  }

  /** Records a problem; a field keeps its first problem only (one clear reason beats two overlapping ones). */
  void add(String field, String message) {
    if (byField == null) {
      byField = new LinkedHashMap<>();
    }
    byField.putIfAbsent(field, message);
  }

  /** Records that {@code field} is wrong, e.g. {@code ("limit", "must be an integer")} → "limit must be an integer". */
  void invalid(String field, String predicate) {
    add(field, field + " " + predicate);
  }

  /**
   * Explains a failed validation of {@code instance} against {@code schema}. {@code root} names the instance: a
   * parameter's name, or {@code ""} for a body (whose fields are then named from its top level). Problems are
   * listed in the order of the request (the validator's order follows the schema's hashing); missing properties
   * come after the fields that are there.
   */
  void explain(String root, Object schema, Object instance, OutputUnit result) {
    List<Problem> problems = new ArrayList<>();
    List<OutputUnit> units = result.getErrors() == null || result.getErrors().isEmpty() ? List.of(result) : result.getErrors();
    List<String> alternatives = new ArrayList<>();
    for (OutputUnit unit : units) {
      String location = unit.getKeywordLocation();
      if (location == null || alternatives.stream().anyMatch(failed -> location.startsWith(failed + "/"))) {
        continue;
      }
      List<String> keywordPath = segments(location);
      if (keywordPath.isEmpty()) {
        continue;
      }
      String keyword = keywordPath.get(keywordPath.size() - 1);
      JsonObject owner = schemaAt(schema, keywordPath.subList(0, keywordPath.size() - 1));
      List<String> instancePath = segments(unit.getInstanceLocation());
      String path = path(root, instance, instancePath);
      switch (keyword) {
        case "required" -> {
          Object at = valueAt(instance, instancePath);
          for (Object key : owner.getJsonArray("required", new JsonArray())) {
            if (at instanceof JsonObject object && !object.containsKey(key.toString())) {
              String missing = child(path, key.toString());
              List<String> missingPath = new ArrayList<>(instancePath);
              missingPath.add(key.toString());
              problems.add(new Problem(missing, missing + " is required", position(instance, missingPath)));
            }
          }
        }
        case "additionalProperties" -> {
          // Named by the validator also for declared properties that failed their own schema: not the reason.
          String key = instancePath.isEmpty() ? "" : instancePath.get(instancePath.size() - 1);
          if (Boolean.FALSE.equals(owner.getValue("additionalProperties")) && !declares(owner, key)) {
            List<String> declared = owner.getJsonObject("properties", new JsonObject()).fieldNames().stream().sorted()
              .toList();
            problems.add(new Problem(path, "unknown property \"" + path + "\"" + (declared.isEmpty() ? ""
              : "; expected " + String.join(", ", declared)), position(instance, instancePath)));
          }
        }
        case "anyOf", "oneOf" -> {
          // The failures of each alternative would contradict each other; say it matches none of them.
          alternatives.add(location);
          problems.add(new Problem(display(path), display(path) + " does not match any of the forms it may take",
            position(instance, instancePath)));
        }
        default -> {
          String predicate = predicate(keyword, owner);
          if (predicate != null) {
            problems.add(new Problem(display(path), display(path) + " " + predicate, position(instance, instancePath)));
          }
        }
      }
    }
    if (problems.isEmpty()) {
      invalid(display(root), "does not match its schema");
    }
    problems.stream().sorted(Comparator.comparing(Problem::position, Violations::compare))
      .forEach(p -> add(p.field(), p.message()));
  }

  /** One problem and where its field stands in the request: the index of each step (absent: after all). */
  private record Problem(String field, String message, List<Integer> position) {
  }

  private static List<Integer> position(Object instance, List<String> path) {
    List<Integer> position = new ArrayList<>();
    Object node = instance;
    for (String segment : path) {
      if (node instanceof JsonObject object) {
        int index = new ArrayList<>(object.fieldNames()).indexOf(segment);
        position.add(index < 0 ? Integer.MAX_VALUE : index);
      } else if (node instanceof JsonArray && segment.chars().allMatch(Character::isDigit)) {
        position.add(Integer.parseInt(segment));
      } else {
        position.add(Integer.MAX_VALUE);
      }
      node = step(node, segment);
    }
    return position;
  }

  private static int compare(List<Integer> a, List<Integer> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int order = Integer.compare(a.get(i), b.get(i));
      if (order != 0) {
        return order;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  ApiException toException() {
    List<Map.Entry<String, String>> problems = new ArrayList<>(byField.entrySet());
    JsonArray errors = new JsonArray();
    problems.forEach(p -> errors.add(new JsonObject().put("field", p.getKey()).put("message", p.getValue())));
    String message = problems.stream().map(Map.Entry::getValue).collect(Collectors.joining("; "));
    return new ApiException(EdgeError.VALIDATION_FAILED, message,
      new JsonObject().put("field", problems.get(0).getKey()).put("errors", errors));
  }

  /** What a failed leaf keyword requires, in words; null for keywords that only wrap other failures. */
  private static String predicate(String keyword, JsonObject owner) {
    if (!LEAVES.contains(keyword)) {
      return null;
    }
    Object value = owner.getValue(keyword);
    if (value == null) {
      return "is invalid";
    }
    return switch (keyword) {
      case "type" -> "must be " + types(value);
      case "enum" -> "must be one of " + ((JsonArray) value).stream().map(Violations::text)
        .collect(Collectors.joining(", "));
      case "const" -> "must be " + text(value);
      case "minimum" -> "must be at least " + value;
      case "maximum" -> "must be at most " + value;
      case "exclusiveMinimum" -> "must be more than " + value;
      case "exclusiveMaximum" -> "must be less than " + value;
      case "multipleOf" -> "must be a multiple of " + value;
      case "minLength" -> ((Number) value).intValue() == 1 ? "must not be empty"
        : "must be at least " + value + " characters long";
      case "maxLength" -> "must be at most " + value + " characters long";
      case "pattern" -> owner.getString(PATTERN_MESSAGE, "must match the pattern " + value);
      case "format" -> "must be a valid " + value;
      case "minItems" -> ((Number) value).intValue() == 1 ? "must list at least one item"
        : "must list at least " + value + " items";
      case "maxItems" -> "must list at most " + value + " items";
      case "uniqueItems" -> "must not list the same item twice";
      case "minProperties" -> "must have at least " + value + " properties";
      case "maxProperties" -> "must have at most " + value + " properties";
      default -> "is not allowed in this form";
    };
  }

  private static String types(Object type) {
    if (type instanceof JsonArray several) {
      return several.stream().map(t -> article(t.toString())).collect(Collectors.joining(" or "));
    }
    return article(String.valueOf(type));
  }

  private static String article(String type) {
    return switch (type) {
      case "integer", "object", "array" -> "an " + type;
      case "null" -> "null";
      default -> "a " + type;
    };
  }

  private static String text(Object value) {
    return value instanceof String s ? s : String.valueOf(value);
  }

  private static boolean declares(JsonObject schema, String key) {
    if (schema.getJsonObject("properties", new JsonObject()).containsKey(key)) {
      return true;
    }
    JsonObject patterns = schema.getJsonObject("patternProperties", new JsonObject());
    return patterns.fieldNames().stream().anyMatch(p -> Pattern.compile(p).matcher(key).find());
  }

  /** The schema object holding a keyword, following a keyword location; {@code $ref}s are resolved in place. */
  private static JsonObject schemaAt(Object schema, List<String> path) {
    Object node = schema;
    for (String segment : path) {
      if ("$ref".equals(segment) || "$dynamicRef".equals(segment)) {
        continue;
      }
      node = step(node, segment);
    }
    return node instanceof JsonObject object ? object : new JsonObject();
  }

  private static Object valueAt(Object instance, List<String> path) {
    Object node = instance;
    for (String segment : path) {
      node = step(node, segment);
    }
    return node;
  }

  private static Object step(Object node, String segment) {
    if (node instanceof JsonObject object) {
      return object.getValue(segment);
    }
    if (node instanceof JsonArray array && segment.chars().allMatch(Character::isDigit)) {
      int index = Integer.parseInt(segment);
      return index < array.size() ? array.getValue(index) : null;
    }
    return null;
  }

  /** The field as a client names it: {@code links[0].rtt_ms}; {@code ""} for a body itself. */
  private static String path(String root, Object instance, List<String> instancePath) {
    StringBuilder name = new StringBuilder(root);
    Object node = instance;
    for (String segment : instancePath) {
      if (node instanceof JsonArray) {
        name.append('[').append(segment).append(']');
      } else {
        name.append(name.length() == 0 ? "" : ".").append(segment);
      }
      node = step(node, segment);
    }
    return name.toString();
  }

  private static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String display(String path) {
    return path.isEmpty() ? "body" : path;
  }

  /** {@code #/properties/a~1b/enum} → {@code [properties, a/b, enum]} (JSON pointer segments, decoded). */
  private static List<String> segments(String pointer) {
    List<String> segments = new ArrayList<>();
    if (pointer == null) {
      return segments;
    }
    String trimmed = pointer.replaceFirst("^#?/?", "");
    if (trimmed.isEmpty()) {
      return segments;
    }
    for (String segment : trimmed.split("/", -1)) {
      segments.add(segment.replace("~1", "/").replace("~0", "~"));
    }
    return segments;
  }
}
