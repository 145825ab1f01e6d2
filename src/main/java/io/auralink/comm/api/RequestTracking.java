package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import static net.logstash.logback.argument.StructuredArguments.v;

/**
 * First handler of every request: gives it a request id (the caller's {@code X-Request-Id} when it is sane, else
 * a new one), echoes it in the response, and writes one access-log line when the response ends. The line reads
 * {@code GET /internal/whoami 200 1.9ms principal=service:ops operation=whoami request_id=…} in the console
 * format; in JSON the same values are fields ({@code method, path, status, duration_ms, principal, operation,
 * request_id}). The path is the raw one (without the query string); metrics use the route template instead.
 */
public final class RequestTracking implements PlatformHandler {

  public static final String HEADER = "X-Request-Id";
  public static final String CONTEXT_KEY = "auralink.request_id";
  /** Set by the operation chain so the access log names the operation as well as the path. */
  public static final String OPERATION_KEY = "auralink.operation";

  private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final int MAX_LOGGED_PATH = 512;

  private final Logger access;

  public RequestTracking() {
    this(LoggerFactory.getLogger("auralink.access"));
  }

  /** With another access logger: tests read its output. */
  RequestTracking(Logger access) {
    this.access = access;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER);
    String requestId = incoming != null && SANE_ID.matcher(incoming).matches() ? incoming : newId();
    ctx.put(CONTEXT_KEY, requestId);
    ctx.response().putHeader(HEADER, requestId);
    if (access.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> {
        Principal principal = ctx.get(Principal.CONTEXT_KEY);
        // Tenths of a millisecond: precise enough to read, short enough to scan.
        double durationMs = Math.round((System.nanoTime() - start) / 100_000.0) / 10.0;
        access.info("{} {} {} {}ms principal={} operation={} request_id={}",
          v("method", ctx.request().method().name()),
          v("path", printable(ctx.request().path())),
          v("status", ctx.response().getStatusCode()),
          v("duration_ms", durationMs),
          v("principal", principal == null ? "-" : principal.logName()),
          v("operation", ctx.get(OPERATION_KEY, "-")),
          v("request_id", requestId));
      });
    }
    ctx.next();
  }

  /** The path as a log can show it: no control characters (a forged line break or escape), bounded length. */
  static String printable(String path) {
    if (path == null) {
      return "-";
    }
    String bounded = path.length() > MAX_LOGGED_PATH ? path.substring(0, MAX_LOGGED_PATH) + "..." : path;
    StringBuilder clean = null;
    for (int i = 0; i < bounded.length(); i++) {
      char c = bounded.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        if (clean == null) {
          clean = new StringBuilder(bounded.substring(0, i));
        }
        clean.append('?');
      } else if (clean != null) {
        clean.append(c);
      }
    }
    return clean == null ? bounded : clean.toString();
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
