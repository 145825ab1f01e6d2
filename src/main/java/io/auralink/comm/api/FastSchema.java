package io.auralink.comm.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.SchemaRepository;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A JSON schema compiled into plain Java checks that only say whether a value is valid, with the verdict of
 * Vert.x's schema validator. Vert.x interprets the schema on every call and builds location strings, sets, maps
 * and output units even for a valid value (a fifth of the echo operation's CPU); a valid request, the common case,
 * is accepted here without it. A value found invalid still goes to Vert.x's validator, whose output units explain
 * it ({@link Violations}), so every error answer is the same as without this class.
 *
 * <p>It compiles the schema Vert.x's validator runs (the repository's copy under the schema's URI, with its
 * {@code $ref}s followed through the repository), for JSON Schema 2020-12, the dialect of OpenAPI 3.1, and mirrors
 * Vert.x's reading of each keyword: an integer is any number without a fraction ({@code 1.0} included), lengths
 * count code points, a pattern is a Java regex found anywhere in the string, bounds compare as doubles unless a big
 * number is involved, and a keyword for one JSON type ignores values of the others. Keywords: {@code type} (one or
 * several), {@code enum} and {@code const} (string, boolean or null values), {@code required}, {@code properties},
 * {@code additionalProperties}, {@code items} (one schema), {@code minItems}, {@code maxItems}, {@code minLength},
 * {@code maxLength}, {@code pattern}, {@code minimum}, {@code maximum}, {@code exclusiveMinimum},
 * {@code exclusiveMaximum}, {@code $ref} (not recursive), {@code if}/{@code then}/{@code else}; annotations are
 * ignored. A schema that uses anything else anywhere is not compiled: {@link #accepts} is then always false and
 * every value goes to Vert.x's validator.
 */
final class FastSchema {

  /** Keywords that never change a verdict (Vert.x reads none of them when validating). */
  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "examples", "example", "default",
    "deprecated", "readOnly", "writeOnly", "$comment", "$schema", "$id", "$defs", "definitions",
    "__absolute_uri__", "__absolute_ref__");

  private final Predicate<Object> check;
  private final String unsupported;

  private FastSchema(Predicate<Object> check, String unsupported) {
    this.check = check;
    this.unsupported = unsupported;
  }

  /** A schema left to Vert.x's validator, e.g. because the document is not OpenAPI 3.1. */
  static FastSchema notCompiled(String reason) {
    return new FastSchema(null, reason);
  }

  /**
   * Compiles the checks of {@code schema} as {@code repository}'s validator would run them; never fails: a schema it
   * cannot compile gives one whose {@link #accepts} is always false.
   */
  static FastSchema compile(JsonSchema schema, SchemaRepository repository) {
    try {
      return new FastSchema(new Compiler(repository).schema(validated(schema, repository), "#"), null);
    } catch (Unsupported e) {
      return notCompiled(e.getMessage());
    }
  }

  /**
   * True when {@code instance} is valid for sure; false when it is not, or the schema was not compiled: then ask
   * Vert.x's validator.
   */
  boolean accepts(Object instance) {
    return check != null && check.test(jsonify(instance));
  }

  boolean isCompiled() {
    return check != null;
  }

  /** Why the schema was not compiled (the first keyword in the way and where); null when it was. */
  String unsupported() {
    return unsupported;
  }

  /** What {@link SchemaRepository#validator(JsonSchema)} validates against: the repository's copy if it has one. */
  private static Object validated(JsonSchema schema, SchemaRepository repository) {
    if (schema instanceof JsonObject object && object.getValue("__absolute_uri__") instanceof String uri) {
      JsonSchema held = repository.find(uri);
      return held != null ? held : schema;
    }
    return schema;
  }

  private static Object jsonify(Object instance) {
    if (instance instanceof Map<?, ?> map) {
      return new JsonObject(castMap(map));
    }
    return instance instanceof List<?> list ? new JsonArray(list) : instance;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  /** The checks of one schema object: those for any value, then those for its JSON type. */
  private record Node(List<Predicate<Object>> any, List<Predicate<String>> strings, List<Predicate<Number>> numbers,
                      List<Predicate<JsonObject>> objects, List<Predicate<JsonArray>> arrays) implements Predicate<Object> {

    @Override
    public boolean test(Object value) {
      // Vert.x refuses values that are not JSON (it throws): leave those to it.
      if (!(value == null || value instanceof String || value instanceof Number || value instanceof Boolean
        || value instanceof JsonObject || value instanceof JsonArray)) {
        return false;
      }
      if (!all(any, value)) {
        return false;
      }
      if (value instanceof String string) {
        return all(strings, string);
      }
      if (value instanceof Number number) {
        return all(numbers, number);
      }
      if (value instanceof JsonObject object) {
        return all(objects, object);
      }
      return !(value instanceof JsonArray array) || all(arrays, array);
    }

    private static <T> boolean all(List<Predicate<T>> checks, T value) {
      for (int i = 0; i < checks.size(); i++) {
        if (!checks.get(i).test(value)) {
          return false;
        }
      }
      return true;
    }
  }

  private static final class Compiler {

    private final SchemaRepository repository;
    /** The {@code $ref}s being compiled: meeting one again is a recursive schema, not compiled. */
    private final Set<String> following = new HashSet<>();

    Compiler(SchemaRepository repository) {
      this.repository = repository;
    }

    Predicate<Object> schema(Object node, String at) {
      if (node instanceof Boolean allowed) {
        return allowed ? value -> true : value -> false;
      }
      if (!(node instanceof JsonObject schema)) {
        throw new Unsupported(at + " is not a schema");
      }
      Node checks = new Node(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (String keyword : schema.fieldNames()) {
        Object value = schema.getValue(keyword);
        String here = at + "/" + keyword;
        switch (keyword) {
          case "type" -> checks.any().add(type(value, here));
          case "enum" -> checks.any().add(oneOf(value instanceof JsonArray values ? values.getList() : null, here));
          case "const" -> checks.any().add(oneOf(Collections.singletonList(value), here));
          case "$ref" -> checks.any().add(ref(schema, here));
          case "if" -> checks.any().add(condition(schema, at));
          case "then", "else" -> {
            // Read with "if"; without one, Vert.x ignores them.
          }
          case "minLength" -> {
            long min = count(value, here);
            checks.strings().add(s -> s.length() >= min && s.codePointCount(0, s.length()) >= min);
          }
          case "maxLength" -> {
            long max = count(value, here);
            checks.strings().add(s -> s.length() <= max || s.codePointCount(0, s.length()) <= max);
          }
          case "pattern" -> {
            Pattern pattern = pattern(value, here);
            checks.strings().add(s -> pattern.matcher(s).find());
          }
          case "minimum" -> {
            Number bound = number(value, here);
            checks.numbers().add(n -> !below(n, bound, false));
          }
          case "maximum" -> {
            Number bound = number(value, here);
            checks.numbers().add(n -> !below(bound, n, false));
          }
          case "exclusiveMinimum" -> {
            Number bound = number(value, here);
            checks.numbers().add(n -> !below(n, bound, true));
          }
          case "exclusiveMaximum" -> {
            Number bound = number(value, here);
            checks.numbers().add(n -> !below(bound, n, true));
          }
          case "minItems" -> {
            int min = size(value, here);
            checks.arrays().add(a -> a.size() >= min);
          }
          case "maxItems" -> {
            int max = size(value, here);
            checks.arrays().add(a -> a.size() <= max);
          }
          case "items" -> checks.arrays().add(items(value, here));
          case "required" -> checks.objects().add(required(value, here));
          case "properties", "additionalProperties" -> {
            // Compiled together below: additionalProperties applies to the properties not declared.
          }
          default -> {
            if (!ANNOTATIONS.contains(keyword) && !keyword.startsWith("x-")) {
              throw new Unsupported("keyword " + keyword + " at " + here);
            }
          }
        }
      }
      if (schema.containsKey("properties") || schema.containsKey("additionalProperties")) {
        checks.objects().add(members(schema, at));
      }
      return checks;
    }

    private Predicate<Object> type(Object keyword, String at) {
      List<String> types = new ArrayList<>();
      if (keyword instanceof String type) {
        types.add(type);
      } else if (keyword instanceof JsonArray several && several.stream().allMatch(String.class::isInstance)) {
        several.forEach(type -> types.add((String) type));
      } else {
        throw new Unsupported(at + " is neither a type nor a list of types");
      }
      String[] allowed = types.toArray(String[]::new);
      return value -> {
        for (String type : allowed) {
          if (hasType(value, type)) {
            return true;
          }
        }
        return false;
      };
    }

    /** enum and const: Vert.x compares a string, boolean or null value with {@code equals}. */
    private Predicate<Object> oneOf(List<?> values, String at) {
      if (values == null || !values.stream().allMatch(v -> v == null || v instanceof String || v instanceof Boolean)) {
        throw new Unsupported(at + " holds values other than strings, booleans and null");
      }
      Object[] allowed = values.toArray();
      return value -> {
        for (Object candidate : allowed) {
          if (Objects.equals(candidate, value)) {
            return true;
          }
        }
        return false;
      };
    }

    private Predicate<Object> ref(JsonObject schema, String at) {
      // The URI the repository resolved when it loaded the document; a bare $ref Vert.x would look up as written.
      if (!(schema.getValue("__absolute_ref__") instanceof String uri)) {
        throw new Unsupported(at + " was not resolved by the schema repository");
      }
      JsonSchema target = repository.find(uri);
      if (target == null || !following.add(uri)) {
        throw new Unsupported(at + " refers to " + uri + (target == null ? ", which is unknown" : " recursively"));
      }
      Predicate<Object> check = schema(target, at);
      following.remove(uri);
      return check;
    }

    private Predicate<Object> condition(JsonObject schema, String at) {
      Predicate<Object> test = schema(schema.getValue("if"), at + "/if");
      Predicate<Object> then = schema.containsKey("then") ? schema(schema.getValue("then"), at + "/then") : value -> true;
      Predicate<Object> otherwise = schema.containsKey("else") ? schema(schema.getValue("else"), at + "/else") : value -> true;
      return value -> test.test(value) ? then.test(value) : otherwise.test(value);
    }

    private Predicate<JsonArray> items(Object value, String at) {
      Predicate<Object> item = schema(value, at);
      return array -> {
        for (int i = 0; i < array.size(); i++) {
          if (!item.test(array.getValue(i))) {
            return false;
          }
        }
        return true;
      };
    }

    private Predicate<JsonObject> required(Object value, String at) {
      if (!(value instanceof JsonArray keys) || !keys.stream().allMatch(String.class::isInstance)) {
        throw new Unsupported(at + " is not a list of names");
      }
      String[] names = keys.stream().map(String.class::cast).toArray(String[]::new);
      return object -> {
        for (String name : names) {
          if (!object.containsKey(name)) {
            return false;
          }
        }
        return true;
      };
    }

    /**
     * properties and additionalProperties. Vert.x checks additionalProperties on every key but the declared ones
     * that were valid; a declared one that was not already fails the object, so only undeclared keys matter.
     */
    private Predicate<JsonObject> members(JsonObject schema, String at) {
      Map<String, Predicate<Object>> declared = new LinkedHashMap<>();
      if (schema.containsKey("properties")) {
        if (!(schema.getValue("properties") instanceof JsonObject properties)) {
          throw new Unsupported(at + "/properties is not an object");
        }
        for (String name : properties.fieldNames()) {
          declared.put(name, schema(properties.getValue(name), at + "/properties/" + name));
        }
      }
      Predicate<Object> additional = schema.containsKey("additionalProperties")
        ? schema(schema.getValue("additionalProperties"), at + "/additionalProperties") : null;
      List<Map.Entry<String, Predicate<Object>>> properties = List.copyOf(declared.entrySet());
      return object -> {
        for (int i = 0; i < properties.size(); i++) {
          String name = properties.get(i).getKey();
          if (object.containsKey(name) && !properties.get(i).getValue().test(object.getValue(name))) {
            return false;
          }
        }
        if (additional != null) {
          for (String name : object.fieldNames()) {
            if (!declared.containsKey(name) && !additional.test(object.getValue(name))) {
              return false;
            }
          }
        }
        return true;
      };
    }

    private static long count(Object value, String at) {
      if (value instanceof Integer || value instanceof Long) {
        return ((Number) value).longValue();
      }
      throw new Unsupported(at + " is not an integer");
    }

    /** minItems and maxItems: Vert.x reads them as Integer. */
    private static int size(Object value, String at) {
      if (value instanceof Integer size) {
        return size;
      }
      throw new Unsupported(at + " is not an int");
    }

    private static Number number(Object value, String at) {
      if (value instanceof Number number) {
        return number;
      }
      throw new Unsupported(at + " is not a number");
    }

    private static Pattern pattern(Object value, String at) {
      try {
        if (value instanceof String regex) {
          return Pattern.compile(regex);
        }
      } catch (PatternSyntaxException e) {
        // Vert.x would fail on every value: leave it to it.
      }
      throw new Unsupported(at + " is not a Java regular expression");
    }
  }

  /** A JSON type as Vert.x tells it: a number is an integer when it has no fraction, whatever its Java type. */
  private static boolean hasType(Object value, String type) {
    return switch (type) {
      case "null" -> value == null;
      case "boolean" -> value instanceof Boolean;
      case "number" -> value instanceof Number;
      case "integer" -> value instanceof Number number && isInteger(number);
      case "string" -> value instanceof String;
      case "object" -> value instanceof JsonObject;
      case "array" -> value instanceof JsonArray;
      default -> false;
    };
  }

  /** As Vert.x's {@code Utils.Numbers.isInteger}, including its BigDecimal test (1.0 with a scale is not one). */
  private static boolean isInteger(Number number) {
    if (number instanceof Byte || number instanceof Short || number instanceof Integer || number instanceof Long
      || number instanceof BigInteger) {
      return true;
    }
    if (number instanceof Float f) {
      return f % 1 == 0.0f;
    }
    if (number instanceof Double d) {
      return d % 1 == 0.0;
    }
    return number instanceof BigDecimal big && big.remainder(BigDecimal.ONE).equals(BigDecimal.ZERO);
  }

  /** {@code a < b} ({@code a <= b} if {@code orEqual}) as Vert.x compares: exactly with a big number, else as doubles. */
  private static boolean below(Number a, Number b, boolean orEqual) {
    if (a instanceof BigDecimal || b instanceof BigDecimal || a instanceof BigInteger || b instanceof BigInteger) {
      int order = decimal(a).compareTo(decimal(b));
      return orEqual ? order <= 0 : order < 0;
    }
    return orEqual ? a.doubleValue() <= b.doubleValue() : a.doubleValue() < b.doubleValue();
  }

  private static BigDecimal decimal(Number number) {
    if (number instanceof BigDecimal big) {
      return big;
    }
    if (number instanceof BigInteger big) {
      return new BigDecimal(big);
    }
    if (number instanceof Float || number instanceof Double) {
      return BigDecimal.valueOf(number.doubleValue());
    }
    return BigDecimal.valueOf(number.longValue());
  }

  /** A schema, or a part of one, that this class does not compile. */
  private static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message, null, false, false);
    }
  }
}
