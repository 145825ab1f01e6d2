package io.auralink.comm.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled schema checks give Vert.x's verdict: for every parameter and body schema of {@code openapi.yaml}, and
 * for a few schemas with the keywords the document does not use yet, thousands of values derived from the schema
 * (valid ones, and mutations: wrong types, missing and extra properties, out-of-range numbers of every Java number
 * type, strings around their length limits with and without surrogate pairs, pattern near-misses, nulls, nested
 * arrays and objects) are checked both ways with a fixed seed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FastSchemaTest {

  private static final long SEED = 20261130L;
  private static final int VALUES_PER_SCHEMA = 2000;

  /** Schemas of the document left to Vert.x's validator, by name, with the reason: none today. */
  private static final Map<String, String> KNOWN_FALLBACKS = Map.of();

  /** Keywords and forms the document does not use (yet), each against Vert.x the same way. */
  private static final List<String> SYNTHETIC = List.of(
    "{\"type\":\"integer\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":10}",
    "{\"type\":[\"integer\",\"null\",\"boolean\"],\"minimum\":-5.5,\"maximum\":1000.0}",
    "{\"type\":\"number\",\"minimum\":0.1,\"maximum\":100000000000000000000}",
    "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":{\"type\":\"number\",\"minimum\":0}}",
    "{\"type\":\"object\",\"additionalProperties\":true,\"required\":[\"x\"]}",
    "{\"type\":\"array\",\"items\":false}",
    "{\"items\":{\"type\":\"integer\"},\"minItems\":2}",
    "{\"const\":true}",
    "{\"const\":null}",
    "{\"enum\":[\"a\",true,null]}",
    "{\"if\":{\"type\":\"string\"},\"then\":{\"minLength\":3},\"else\":{\"type\":\"number\",\"maximum\":5}}",
    "{\"then\":{\"type\":\"string\"},\"type\":\"integer\"}",
    "{\"$defs\":{\"name\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\",\"maxLength\":8}},\"type\":\"object\","
      + "\"properties\":{\"first\":{\"$ref\":\"#/$defs/name\"},\"list\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/name\"}}}}",
    "{\"minLength\":2,\"maximum\":3,\"minItems\":1,\"required\":[\"a\"]}",
    "{\"type\":\"string\",\"pattern\":\"b\",\"minLength\":1}",
    "{\"type\":[\"object\",\"array\"],\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"additionalProperties\":false,"
      + "\"items\":{\"type\":[\"string\",\"integer\"]},\"maxItems\":2}");

  private static Vertx vertx;
  private static OpenAPIContract contract;

  @BeforeAll
  static void loadDocument() throws Exception {
    vertx = Vertx.vertx();
    JsonObject document;
    try (InputStream yaml = FastSchemaTest.class.getClassLoader().getResourceAsStream(ApiVerticle.CONTRACT)) {
      // As the api verticle reads it: through JSON text, so every value is a plain JSON type.
      document = new JsonObject(Json.encode(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml)));
    }
    contract = OpenAPIContract.from(vertx, document).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Every parameter and body schema of the document, as RequestValidation reads them, by operation and name. */
  private static Map<String, JsonSchema> documentSchemas() {
    Map<String, JsonSchema> schemas = new TreeMap<>();
    for (Operation operation : contract.operations()) {
      for (Parameter parameter : operation.getParameters()) {
        schemas.put(operation.getOperationId() + " " + parameter.getIn() + " " + parameter.getName(), parameter.getSchema());
      }
      // Only JSON bodies are validated; an x-raw-body operation may take another media type (Twilio's forms).
      if (operation.getRequestBody() != null && operation.getRequestBody().getContent().containsKey("application/json")) {
        schemas.put(operation.getOperationId() + " body",
          operation.getRequestBody().getContent().get("application/json").getSchema());
      }
    }
    return schemas;
  }

  @Test
  void only_known_schemas_of_the_document_fall_back_to_vertx() {
    Map<String, String> fallbacks = new TreeMap<>();
    documentSchemas().forEach((name, schema) -> {
      FastSchema fast = FastSchema.compile(schema, contract.getSchemaRepository());
      if (!fast.isCompiled()) {
        fallbacks.put(name, fast.unsupported());
      }
    });
    fallbacks.forEach((name, reason) -> System.out.println("FastSchema fallback: " + name + ": " + reason));
    assertEquals(KNOWN_FALLBACKS, fallbacks, "a schema no longer compiles: support its keyword in FastSchema, or list it");
  }

  @Test
  void compiled_checks_agree_with_vertx_on_every_schema_of_the_document() {
    List<String> disagreements = new ArrayList<>();
    documentSchemas().forEach((name, schema) -> agree(name, schema, contract.getSchemaRepository(), disagreements));
    assertEquals(List.of(), disagreements);
  }

  @Test
  void compiled_checks_agree_with_vertx_on_keywords_the_document_does_not_use() {
    SchemaRepository repository = repository();
    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < SYNTHETIC.size(); i++) {
      JsonSchema schema = JsonSchema.of(new JsonObject(SYNTHETIC.get(i)));
      repository.dereference("app:///synthetic/" + i, schema);
      assertTrue(FastSchema.compile(schema, repository).isCompiled(), SYNTHETIC.get(i));
      agree(SYNTHETIC.get(i), schema, repository, disagreements);
    }
    assertEquals(List.of(), disagreements);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"type\":\"string\",\"format\":\"uuid\"}",
    "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}",
    "{\"type\":\"object\",\"patternProperties\":{\"^x\":{\"type\":\"string\"}}}",
    "{\"type\":\"array\",\"uniqueItems\":true}",
    "{\"enum\":[1,2]}",
    "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"nullable\":true}}}",
    "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/node\"}}}},\"$ref\":\"#/$defs/node\"}"})
  void a_schema_with_an_unsupported_keyword_is_left_to_vertx(String text) {
    SchemaRepository repository = repository();
    JsonSchema schema = JsonSchema.of(new JsonObject(text));
    repository.dereference("app:///unsupported", schema);
    FastSchema fast = FastSchema.compile(schema, repository);
    assertFalse(fast.isCompiled());
    assertFalse(fast.accepts(new JsonObject()));
    assertFalse(fast.accepts("text"));
  }

  /** Checks many values against both; each schema must see valid and invalid values, or the comparison says little. */
  private static void agree(String name, JsonSchema schema, SchemaRepository repository, List<String> disagreements) {
    FastSchema fast = FastSchema.compile(schema, repository);
    if (!fast.isCompiled()) {
      return;
    }
    Validator validator = repository.validator(schema);
    Values values = new Values(new Random(SEED ^ name.hashCode()), repository);
    int valid = 0;
    for (int i = 0; i < VALUES_PER_SCHEMA; i++) {
      Object value = values.next(schema);
      boolean expected = Boolean.TRUE.equals(validator.validate(value).getValid());
      valid += expected ? 1 : 0;
      if (fast.accepts(value) != expected && disagreements.size() < 20) {
        disagreements.add(name + ": Vert.x says " + (expected ? "valid" : "invalid") + " for " + describe(value));
      }
    }
    System.out.printf("FastSchema %s: %d valid, %d invalid%n", name, valid, VALUES_PER_SCHEMA - valid);
    assertTrue(valid > VALUES_PER_SCHEMA / 100 && valid < VALUES_PER_SCHEMA - VALUES_PER_SCHEMA / 100,
      name + ": too few valid or invalid values to compare (" + valid + " valid)");
  }

  private static SchemaRepository repository() {
    return SchemaRepository.create(new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri("app:///")
      .setOutputFormat(OutputFormat.Basic));
  }

  /** The value with the Java type of each number, which JSON text would hide. */
  private static String describe(Object value) {
    if (value instanceof JsonObject object) {
      StringBuilder text = new StringBuilder("{");
      object.fieldNames().forEach(key -> text.append('"').append(key).append("\": ").append(describe(object.getValue(key))).append(", "));
      return text.append('}').toString();
    }
    if (value instanceof JsonArray array) {
      StringBuilder text = new StringBuilder("[");
      array.forEach(item -> text.append(describe(item)).append(", "));
      return text.append(']').toString();
    }
    if (value instanceof Number number) {
      return number + " (" + number.getClass().getSimpleName() + ")";
    }
    return value instanceof String string ? Json.encode(string) : String.valueOf(value);
  }

  /**
   * Values derived from a schema, near its limits: a third of them clean (in range everywhere, so that even large
   * values come out valid), the others with now and then a value just out of range, or a node replaced by a wild
   * value of any JSON type. Follows {@code $ref}s through the repository; ignores {@code then}/{@code else} (their
   * branches come out right or wrong by chance, which is what the comparison needs).
   */
  private static final class Values {

    private static final String WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    private static final List<String> SUFFIXES = List.of("", ".aura", ".AURA", ".Aura", ".aur", ".auraa", ".aura\n", "a.aura");
    private static final List<String> TYPES = List.of("null", "boolean", "integer", "number", "string", "object", "array");

    private final Random random;
    private final SchemaRepository repository;
    private boolean clean;

    Values(Random random, SchemaRepository repository) {
      this.random = random;
      this.repository = repository;
    }

    Object next(JsonSchema schema) {
      clean = random.nextInt(3) == 0;
      return of(schema, 0);
    }

    private Object of(Object node, int depth) {
      if (!clean && random.nextInt(100) < 4) {
        return wild(depth);
      }
      if (!(node instanceof JsonObject schema)) {
        return wild(depth);
      }
      if (schema.getValue("__absolute_ref__") instanceof String uri && repository.find(uri) != null) {
        return of(repository.find(uri), depth);
      }
      if (schema.getValue("enum") instanceof JsonArray values && random.nextInt(10) > 0) {
        return values.getValue(random.nextInt(values.size()));
      }
      if (schema.containsKey("const") && random.nextInt(10) > 0) {
        return schema.getValue("const");
      }
      Object type = schema.getValue("type");
      String chosen = type instanceof String one ? one
        : type instanceof JsonArray several ? several.getString(random.nextInt(several.size()))
        : TYPES.get(random.nextInt(TYPES.size()));
      return switch (chosen) {
        case "null" -> null;
        case "boolean" -> random.nextBoolean();
        case "integer", "number" -> number(schema, "integer".equals(chosen));
        case "string" -> string(schema);
        case "object" -> object(schema, depth);
        case "array" -> array(schema, depth);
        default -> wild(depth);
      };
    }

    private Object object(JsonObject schema, int depth) {
      JsonObject object = new JsonObject();
      JsonObject properties = schema.getJsonObject("properties", new JsonObject());
      List<String> required = schema.getJsonArray("required", new JsonArray()).stream().map(String::valueOf).toList();
      for (String name : properties.fieldNames()) {
        boolean include = required.contains(name) ? random.nextInt(40) > 0 : random.nextBoolean();
        if (include) {
          object.put(name, of(properties.getValue(name), depth + 1));
        }
      }
      for (String name : required) {
        if (!properties.containsKey(name) && random.nextInt(10) > 0) {
          object.put(name, wild(depth + 1));
        }
      }
      Object additional = schema.getValue("additionalProperties");
      int extra = additional instanceof JsonObject ? random.nextInt(3) : random.nextInt(25) == 0 ? 1 : 0;
      for (int i = 0; i < extra; i++) {
        object.put(i == 0 && random.nextBoolean() ? "foo" : word(1 + random.nextInt(6)),
          additional instanceof JsonObject ? of(additional, depth + 1) : wild(depth + 1));
      }
      return object;
    }

    private Object array(JsonObject schema, int depth) {
      int min = schema.getInteger("minItems", 0);
      int max = schema.getInteger("maxItems", min + 4);
      int size = length(min, max);
      JsonArray array = new JsonArray();
      for (int i = 0; i < size; i++) {
        array.add(of(schema.getValue("items", true), depth + 1));
      }
      return array;
    }

    private Object string(JsonObject schema) {
      int min = schema.getInteger("minLength", 0);
      int max = schema.getInteger("maxLength", min + 24);
      if (schema.containsKey("pattern") && (clean || random.nextInt(4) > 0)) {
        // Near-misses of AuraIDs and usernames (the document's patterns), some of which match.
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(schema.getString("pattern"));
        String candidate = "";
        for (int attempt = 0; attempt < 20; attempt++) {
          candidate = (random.nextInt(3) > 0 ? "@" : random.nextInt(4) == 0 ? "x@" : "")
            + (random.nextInt(8) == 0 ? "_" : "") + word(random.nextInt(23)) + SUFFIXES.get(random.nextInt(SUFFIXES.size()));
          if (pattern.matcher(candidate).find() && (clean || random.nextInt(5) > 0)) {
            break;
          }
        }
        return candidate;
      }
      int length = length(min, max);
      StringBuilder text = new StringBuilder();
      int kind = random.nextInt(10);
      for (int i = 0; i < length; i++) {
        switch (kind) {
          case 0 -> text.appendCodePoint(0x1F600 + random.nextInt(40)); // two chars, one code point
          case 1 -> text.append(random.nextBoolean() ? "é" : random.nextBoolean() ? "\uD83D" : "\uDE00"); // lone surrogates too
          case 2 -> text.append(random.nextBoolean() ? "@" : String.valueOf(WORD.charAt(random.nextInt(WORD.length()))));
          default -> text.append(WORD.charAt(random.nextInt(WORD.length())));
        }
      }
      return text.toString();
    }

    /** Mostly within [min, max]; now and then just outside, or at a limit. */
    private int length(int min, int max) {
      int pick = random.nextInt(20);
      if ((pick == 1 || pick == 3) && max > 64 && random.nextInt(16) > 0) {
        pick = 4; // a large limit costs Vert.x time (500 links): reach it less often
      }
      if (pick == 0 && !clean) {
        return Math.max(0, min - 1);
      }
      if (pick == 1 && !clean) {
        return max + 1;
      }
      if (pick == 2) {
        return min;
      }
      if (pick == 3) {
        return max;
      }
      // Long strings and arrays cost Vert.x time: the middle of a wide range stays short.
      return min + random.nextInt(Math.min(max - min, 12) + 1);
    }

    private Object number(JsonObject schema, boolean integer) {
      double low = bound(schema, "minimum", "exclusiveMinimum", -1000);
      double high = bound(schema, "maximum", "exclusiveMaximum", 1000);
      int pick = random.nextInt(12);
      double value = switch (clean && pick >= 2 && pick <= 4 ? 5 : pick) {
        case 0 -> low;
        case 1 -> high;
        case 2 -> low - (integer ? 1 : 0.001);
        case 3 -> high + (integer ? 1 : 0.5);
        case 4 -> random.nextBoolean() ? 1e300 : -9.007199254740993E15;
        default -> low + random.nextDouble() * Math.min(high - low, 1e12);
      };
      if (integer && (clean || random.nextInt(8) > 0)) {
        value = Math.floor(value);
      }
      return javaNumber(value);
    }

    private static double bound(JsonObject schema, String inclusive, String exclusive, double otherwise) {
      Object limit = schema.containsKey(inclusive) ? schema.getValue(inclusive) : schema.getValue(exclusive);
      return limit instanceof Number number ? number.doubleValue() : otherwise;
    }

    /** One of the Java types a JSON number can arrive as (Jackson gives Integer, Long, BigInteger and Double). */
    private Object javaNumber(double value) {
      boolean whole = value == Math.rint(value) && Math.abs(value) < 9e18;
      return switch (random.nextInt(7)) {
        case 0 -> whole && Math.abs(value) < Integer.MAX_VALUE ? (Object) (int) value : (Object) value;
        case 1 -> whole ? (Object) (long) value : (Object) value;
        case 2 -> whole ? BigInteger.valueOf((long) value).multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : 1000)) : value;
        case 3 -> new BigDecimal(Double.toString(value));
        case 4 -> BigDecimal.valueOf(value).setScale(Math.max(0, BigDecimal.valueOf(value).scale()) + 1);
        case 5 -> Float.isFinite((float) value) ? (Object) (float) value : (Object) value;
        default -> value;
      };
    }

    /** Any JSON value, nested now and then. */
    private Object wild(int depth) {
      return switch (random.nextInt(depth < 3 ? 12 : 10)) {
        case 0 -> null;
        case 1 -> random.nextBoolean();
        case 2 -> random.nextInt(200) - 100;
        case 3 -> random.nextLong();
        case 4 -> random.nextDouble() * 100;
        case 5 -> new BigDecimal("1.0");
        case 6 -> "";
        case 7 -> word(random.nextInt(10));
        case 8 -> "@" + word(5) + ".aura";
        case 9 -> random.nextBoolean() ? new JsonObject() : new JsonArray();
        case 10 -> new JsonObject().put(word(3), wild(depth + 1));
        default -> new JsonArray().add(wild(depth + 1)).add(wild(depth + 1));
      };
    }

    private String word(int length) {
      StringBuilder word = new StringBuilder();
      for (int i = 0; i < length; i++) {
        word.append(WORD.charAt(random.nextInt(WORD.length())));
      }
      return word.toString();
    }
  }
}
