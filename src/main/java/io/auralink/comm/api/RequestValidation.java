package io.auralink.comm.api;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates each request against its operation in the OpenAPI document, after authentication, and turns a
 * mismatch into a 400 {@code VALIDATION_FAILED} whose details name the field.
 */
final class RequestValidation {

  /** Where the validated (and type-converted) parameters and body are left for the operation. */
  static final String VALIDATED_REQUEST = "auralink.validated_request";

  private static final Pattern PARAMETER = Pattern.compile("parameter (\\S+)");
  private static final Pattern PROPERTY = Pattern.compile("property \"([^\"]+)\"");

  private final RequestValidator validator;
  private final RequestExtractor extractor = RequestExtractor.withBodyHandler();

  RequestValidation(Vertx vertx, OpenAPIContract contract) {
    this.validator = RequestValidator.create(vertx, contract);
  }

  Handler<RoutingContext> forOperation(Operation operation) {
    return ctx -> extractor.extractValidatableRequest(ctx, operation)
      .compose(request -> validator.validate(request, operation.getOperationId()))
      .onSuccess(validated -> {
        ctx.put(VALIDATED_REQUEST, validated);
        ctx.next();
      })
      .onFailure(e -> ctx.fail(e instanceof ValidatorException v ? toApiException(v) : e));
  }

  static ApiException toApiException(ValidatorException e) {
    String field = "body";
    String reason = e.getMessage();
    if (e instanceof SchemaValidationException schema && schema.getOutputUnit() != null
      && !schema.getOutputUnit().getErrors().isEmpty()) {
      OutputUnit cause = schema.getOutputUnit().getErrors().get(schema.getOutputUnit().getErrors().size() - 1);
      reason = cause.getError();
      String location = cause.getInstanceLocation() == null ? "" : cause.getInstanceLocation();
      Matcher property = PROPERTY.matcher(reason);
      field = property.find() ? join(location, property.group(1)) : pointer(location);
    }
    Matcher parameter = PARAMETER.matcher(e.getMessage());
    if (parameter.find()) {
      field = parameter.group(1);
    }
    if (field.isEmpty()) {
      field = "body";
    }
    return ApiException.badRequest("VALIDATION_FAILED", "invalid " + field + ": " + reason,
      new JsonObject().put("field", field).put("reason", reason));
  }

  /** {@code #/aura_ids/3} → {@code aura_ids/3}: the field as a client names it. */
  private static String pointer(String location) {
    return location.replaceFirst("^#?/?", "");
  }

  private static String join(String location, String property) {
    String parent = pointer(location);
    return parent.isEmpty() ? property : parent + "/" + property;
  }
}
