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
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Style;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates each request against its operation in the OpenAPI document, after authentication, and turns a
 * mismatch into a 400 {@code VALIDATION_FAILED} whose details name the field. The JSON-schema validators are
 * built once per operation when the router is built, and requests are checked inline on the event loop: the
 * inputs are small, and Vert.x's own request validator rebuilt a validator for every parameter of every request
 * and hopped to a worker thread to do it (most of the edge's CPU in the resolve benchmark).
 */
final class RequestValidation {

  private static final Pattern PROPERTY = Pattern.compile("property \"([^\"]+)\"");

  private final OpenAPIContract contract;

  RequestValidation(OpenAPIContract contract) {
    this.contract = contract;
  }

  /** One parameter's check: where it is read from, how its text becomes JSON, and its schema. */
  private record ParameterCheck(Parameter parameter, String type, String itemType, Validator validator) {
  }

  /** The body's check; {@code validator} is null for an operation without a body. */
  private record BodyCheck(boolean required, Validator validator) {
  }

  Handler<RoutingContext> forOperation(Operation operation) {
    List<ParameterCheck> parameters = new ArrayList<>();
    for (Parameter parameter : operation.getParameters()) {
      parameters.add(parameterCheck(operation, parameter));
    }
    BodyCheck body = bodyCheck(operation);
    return ctx -> {
      try {
        for (ParameterCheck check : parameters) {
          validate(ctx, check);
        }
        validate(ctx, body);
        ctx.next();
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
    return new ParameterCheck(parameter, type, itemType, contract.getSchemaRepository().validator(schema));
  }

  private BodyCheck bodyCheck(Operation operation) {
    if (operation.getRequestBody() == null) {
      return new BodyCheck(false, null);
    }
    MediaType json = operation.getRequestBody().getContent().get("application/json");
    if (json == null) {
      throw new IllegalStateException(ApiVerticle.CONTRACT + ": " + operation.getOperationId()
        + " takes a body that is not application/json");
    }
    return new BodyCheck(operation.getRequestBody().isRequired(), contract.getSchemaRepository().validator(json.getSchema()));
  }

  private static void validate(RoutingContext ctx, ParameterCheck check) {
    Parameter parameter = check.parameter();
    List<String> raw = switch (parameter.getIn()) {
      case PATH -> single(ctx.pathParam(parameter.getName()));
      case HEADER -> single(ctx.request().getHeader(parameter.getName()));
      default -> ctx.queryParam(parameter.getName());
    };
    if (raw.isEmpty()) {
      if (parameter.isRequired()) {
        throw invalid(parameter.getName(), "is required");
      }
      return;
    }
    Object value;
    if ("array".equals(check.type())) {
      JsonArray items = new JsonArray();
      for (String text : parameter.isExplode() ? raw : List.of(raw.get(0).split(","))) {
        items.add(coerce(parameter.getName(), text, check.itemType()));
      }
      value = items;
    } else if (raw.size() > 1) {
      throw invalid(parameter.getName(), "is given more than once");
    } else {
      value = coerce(parameter.getName(), raw.get(0), check.type());
    }
    OutputUnit result = check.validator().validate(value);
    if (!Boolean.TRUE.equals(result.getValid())) {
      throw invalid(parameter.getName(), reason(result));
    }
  }

  private static void validate(RoutingContext ctx, BodyCheck check) {
    if (check.validator() == null) {
      return;
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      if (check.required()) {
        throw invalid("body", "a JSON body is required");
      }
      return;
    }
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json", null);
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw invalid("body", "is not valid JSON");
    }
    OutputUnit result = check.validator().validate(json);
    if (!Boolean.TRUE.equals(result.getValid())) {
      OutputUnit cause = mostRelevant(result);
      String reason = cause.getError();
      String location = pointer(cause.getInstanceLocation());
      Matcher property = PROPERTY.matcher(reason == null ? "" : reason);
      String field = property.find() ? join(location, property.group(1)) : location;
      throw invalid(field.isEmpty() ? "body" : field, reason);
    }
  }

  /** Path, query and header values are text; the schema's type says what JSON value they stand for. */
  private static Object coerce(String name, String text, String type) {
    try {
      return switch (type) {
        case "integer" -> Long.parseLong(text);
        case "number" -> Double.parseDouble(text);
        case "boolean" -> switch (text) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new IllegalArgumentException(text);
        };
        default -> text;
      };
    } catch (IllegalArgumentException e) {
      throw invalid(name, "must be " + ("integer".equals(type) ? "an " : "a ") + type);
    }
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

  private static OutputUnit mostRelevant(OutputUnit result) {
    List<OutputUnit> errors = result.getErrors();
    return errors == null || errors.isEmpty() ? result : errors.get(errors.size() - 1);
  }

  private static String reason(OutputUnit result) {
    String error = mostRelevant(result).getError();
    return error == null ? "is invalid" : error;
  }

  static ApiException invalid(String field, String reason) {
    return ApiException.badRequest("VALIDATION_FAILED", "invalid " + field + ": " + reason,
      new JsonObject().put("field", field).put("reason", reason));
  }

  /** {@code #/aura_ids/3} → {@code aura_ids/3}: the field as a client names it. */
  private static String pointer(String location) {
    return location == null ? "" : location.replaceFirst("^#?/?", "");
  }

  private static String join(String parent, String property) {
    return parent.isEmpty() ? property : parent + "/" + property;
  }
}
