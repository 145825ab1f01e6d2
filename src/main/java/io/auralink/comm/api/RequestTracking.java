package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * First handler of every request: gives it a request id (the caller's {@code X-Request-Id} when it is sane, else
 * a new one), echoes it in the response, and writes one structured access-log line when the response ends.
 */
public final class RequestTracking implements PlatformHandler {

  public static final String HEADER = "X-Request-Id";
  public static final String CONTEXT_KEY = "auralink.request_id";
  /** Set by the operation chain so the access log names the operation rather than the raw path. */
  public static final String OPERATION_KEY = "auralink.operation";

  private static final Logger ACCESS = LoggerFactory.getLogger("auralink.access");
  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  @Override
  public void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER);
    String requestId = incoming != null && SANE_ID.matcher(incoming).matches() ? incoming : newId();
    ctx.put(CONTEXT_KEY, requestId);
    ctx.response().putHeader(HEADER, requestId);
    if (ACCESS.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> {
        Principal principal = ctx.get(Principal.CONTEXT_KEY);
        ACCESS.info("{} {} {} {} {}",
          kv("method", ctx.request().method().name()),
          kv("operation", ctx.get(OPERATION_KEY, "-")),
          kv("status", ctx.response().getStatusCode()),
          kv("duration_ms", (System.nanoTime() - start) / 1_000_000.0),
          kv("principal", principal == null ? "-" : principal.logName()),
          kv("request_id", requestId));
      });
    }
    ctx.next();
  }

  /** A random 128-bit id in UUID form; it must be unique, not unguessable, so no SecureRandom on the hot path. */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  public static String requestId(RoutingContext ctx) {
    return ctx.get(CONTEXT_KEY, "-");
  }
}
