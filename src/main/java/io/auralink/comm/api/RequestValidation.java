package io.auralink.comm.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validates each request against its operation in the OpenAPI document, after authentication. Every parameter and
 * the body are checked, and every problem found is reported at once in plain words ({@link Violations}): a 400
 * {@code VALIDATION_FAILED} whose details name the first field and list them all. The JSON-schema validators are
 * built once per operation when the router is built, and requests are checked inline on the event loop: the
 * inputs are small, and Vert.x's own request validator rebuilt a validator for every parameter of every request
 * and hopped to a worker thread to do it (most of the edge's CPU in the resolve benchmark). Each schema is also
 * compiled into plain checks ({@link FastSchema}) that accept a valid value without Vert.x's interpreter; a value
 * they do not accept goes to Vert.x's validator, whose answer decides and explains, as before.
 */
final class RequestValidation {

  private final OpenAPIContract contract;

  RequestValidation(OpenAPIContract contract) {
    this.contract = contract;
  }

  /**
   * One parameter's check: where it is read from, how its text becomes JSON, and its schema (compiled for valid
   * values, Vert.x's validator to explain the others).
   */
  private record ParameterCheck(Parameter parameter, String type, String itemType, JsonSchema schema, FastSchema fast,
                                Validator validator) {
  }

  /** The body's check; {@code validator} is null for an operation without a body. */
  private record BodyCheck(boolean required, JsonSchema schema, FastSchema fast, Validator validator) {
  }

  Handler<RoutingContext> forOperation(Operation operation) {
    List<ParameterCheck> parameters = new ArrayList<>();
    for (Parameter parameter : operation.getParameters()) {
      parameters.add(parameterCheck(operation, parameter));
    }
    BodyCheck body = bodyCheck(operation);
    return ctx -> {
      try {
        Violations violations = new Violations();
        for (ParameterCheck check : parameters) {
          validate(ctx, check, violations);
        }
        validate(ctx, body, violations);
        if (violations.isEmpty()) {
          ctx.next();
        } else {
          ctx.fail(violations.toException());
        }
      } catch (ApiException e) {
        ctx.fail(e);
      }
    };
  }

  private ParameterCheck parameterCheck(Operation operation, Parameter parameter) {
    if (parameter.getIn() == Location.COOKIE
      || (parameter.getIn() == Location.QUERY && parameter.getStyle() != Style.FORM)
      || (parameter.getIn() != Location.QUERY && parameter.getStyle() != Style.SIMPLE)) {
      throw new IllegalStateException(ApiVerticle.CONTRACT + ": parameter " + parameter.getName() + " of "
        + operation.getOperationId() + " uses a location or style this edge does not read");
    }
    JsonSchema schema = parameter.getSchema();
    String type = typeOf(schema.get("type"));
    String itemType = "array".equals(type) ? typeOf(((JsonObject) schema.get("items")).getValue("type")) : null;
    return new ParameterCheck(parameter, type, itemType, schema, compile(schema),
      contract.getSchemaRepository().validator(schema));
  }

  private BodyCheck bodyCheck(Operation operation) {
    if (operation.getRequestBody() == null || readsItsOwnBody(operation)) {
      return new BodyCheck(false, null, null, null);
    }
    MediaType json = operation.getRequestBody().getContent().get("application/json");
    if (json == null) {
      throw new IllegalStateException(ApiVerticle.CONTRACT + ": " + operation.getOperationId()
        + " takes a body that is not application/json");
    }
    return new BodyCheck(operation.getRequestBody().isRequired(), json.getSchema(), compile(json.getSchema()),
      contract.getSchemaRepository().validator(json.getSchema()));
  }

  /**
   * An operation marked {@value #RAW_BODY} reads its body itself, whatever its media type, and answers a bad one in
   * the shape its clients expect (Element Call's token exchange, LiveKit's webhooks); its documented body schema is
   * for readers only.
   */
  static boolean readsItsOwnBody(Operation operation) {
    return Boolean.TRUE.equals(operation.getExtensions().get(RAW_BODY));
  }

  static final String RAW_BODY = "x-raw-body";

  /** The compiled checks follow JSON Schema 2020-12, the dialect of OpenAPI 3.1 (3.0 reads some keywords otherwise). */
  private FastSchema compile(JsonSchema schema) {
    return contract.getVersion() == OpenAPIVersion.V3_1
      ? FastSchema.compile(schema, contract.getSchemaRepository())
      : FastSchema.notCompiled("the document is not OpenAPI 3.1");
  }

  private static void validate(RoutingContext ctx, ParameterCheck check, Violations violations) {
    Parameter parameter = check.parameter();
    String name = parameter.getName();
    List<String> raw = switch (parameter.getIn()) {
      case PATH -> single(ctx.pathParam(name));
      case HEADER -> single(ctx.request().getHeader(name));
      default -> ctx.queryParam(name);
    };
    for (String text : raw) {
      if (!TextSafety.isSafe(text)) {
        violations.invalid(name, TextSafety.PROBLEM);
        return;
      }
    }
    if (raw.isEmpty()) {
      if (parameter.isRequired()) {
        violations.add(name, name + " is required");
      }
      return;
    }
    Object value;
    if ("array".equals(check.type())) {
      JsonArray items = new JsonArray();
      List<String> texts = parameter.isExplode() ? raw : List.of(raw.get(0).split(","));
      for (int i = 0; i < texts.size(); i++) {
        Object item = coerce(texts.get(i), check.itemType());
        if (item == null) {
          violations.invalid(name + "[" + i + "]", "must be " + article(check.itemType()));
          return;
        }
        items.add(item);
      }
      value = items;
    } else if (raw.size() > 1) {
      violations.invalid(name, "is given more than once");
      return;
    } else {
      value = coerce(raw.get(0), check.type());
      if (value == null) {
        violations.invalid(name, "must be " + article(check.type()));
        return;
      }
    }
    if (check.fast().accepts(value)) {
      return;
    }
    OutputUnit result = check.validator().validate(value);
    if (!Boolean.TRUE.equals(result.getValid())) {
      violations.explain(name, check.schema(), value, result);
    }
  }

  private static void validate(RoutingContext ctx, BodyCheck check, Violations violations) {
    if (check.validator() == null) {
      return;
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      if (check.required()) {
        violations.add("body", "a JSON body is required");
      }
      return;
    }
    if (!isJson(ctx.request().getHeader("Content-Type"))) {
      throw new ApiException(EdgeError.UNSUPPORTED_MEDIA_TYPE, "the request body must be application/json", null);
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      violations.add("body", "the body is not valid JSON");
      return;
    }
    if (!check.fast().accepts(json)) {
      OutputUnit result = check.validator().validate(json);
      if (!Boolean.TRUE.equals(result.getValid())) {
        violations.explain("", check.schema(), json, result);
      }
    }
    TextSafety.check(json, "", violations);
  }

  /**
   * Whether a {@code Content-Type} names JSON: the media type before any parameter, exactly {@code application/json}
   * in any case ({@code application/jsonx} is another type, RFC 9110 §8.3.1).
   */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int parameters = contentType.indexOf(';');
    String mediaType = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
    return mediaType.toLowerCase(Locale.ROOT).equals("application/json");
  }

  /** Path, query and header values are text; the schema's type says what JSON value they stand for (null: not one). */
  private static Object coerce(String text, String type) {
    try {
      return switch (type) {
        case "integer" -> Long.parseLong(text);
        case "number" -> Double.parseDouble(text);
        case "boolean" -> switch (text) {
          case "true" -> true;
          case "false" -> false;
          default -> null;
        };
        default -> text;
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String article(String type) {
    return ("integer".equals(type) ? "an " : "a ") + type;
  }

  /** The first non-null type of a schema's {@code type} (a string, or a list such as {@code [string, "null"]}). */
  private static String typeOf(Object type) {
    if (type instanceof JsonArray types) {
      return types.stream().map(String::valueOf).filter(t -> !"null".equals(t)).findFirst().orElse("string");
    }
    return type == null ? "string" : type.toString();
  }

  private static List<String> single(String value) {
    return value == null ? List.of() : List.of(value);
  }
}
