package io.auralink.comm.platform.storage;

import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.auralink.comm.platform.PlatformError;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Turns the failures of an unavailable dependency into stable 503 codes in one place, so that an outage is never
 * reported as a bug (500); text the database refused to store becomes a 400. A domain's failure crosses the event bus as a {@link ServiceException}; any other
 * exception would arrive as a code-less {@code RECIPIENT_FAILURE}, which the edge can only answer with 500.
 * {@link #guard} wraps a domain's service so that every failed future it returns is {@link #classify classified}
 * before it leaves the domain: a lost or refused PostgreSQL connection becomes {@code DATABASE_UNAVAILABLE}, a full
 * pool {@code OVERLOADED}, a missed deadline {@code SERVICE_UNAVAILABLE}; domain failures and genuine bugs pass
 * unchanged.
 *
 * <p>Redis failures are not classified here: Redis only holds what is expendable, and its users fall back without
 * it (the profile cache misses, federation limits open), so a Redis failure never fails a request.
 */
public final class StorageFailures {

  /** What a client should wait before retrying after an outage answer, in seconds. */
  public static final int RETRY_AFTER_SECONDS = 2;

  /**
   * SQLSTATEs of a server that is going away or cannot take a connection: class 08 (connection exception, checked
   * by prefix), admin/crash shutdown, cannot connect now (starting up, shutting down, recovering), too many
   * connections.
   */
  private static final Set<String> UNAVAILABLE_SQL_STATES = Set.of("57P01", "57P02", "57P03", "53300");
  /**
   * SQLSTATEs of text PostgreSQL cannot hold: a character not representable in the encoding (22021, e.g. NUL) and
   * an untranslatable Unicode escape in JSON (22P05, e.g. \u0000 in jsonb). The request was wrong, not the server.
   */
  private static final Set<String> UNSTORABLE_TEXT_SQL_STATES = Set.of("22021", "22P05");
  /** The message of the SQL pool's own {@link VertxException} when no connection frees up within the deadline. */
  private static final String POOL_WAIT_TIMEOUT = "Timeout waiting for connection";

  private StorageFailures() {
  }

  /**
   * The failure a caller should see: an outage as a 503 {@link ServiceException} naming it, anything else as it
   * was.
   */
  public static Throwable classify(Throwable failure) {
    if (failure instanceof ServiceException) {
      return failure;
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof PgException pg && UNSTORABLE_TEXT_SQL_STATES.contains(pg.getSqlState())) {
        return PlatformError.VALIDATION_FAILED.exception("a text holds a character that cannot be stored (such as NUL)",
          new JsonObject().put("field", "body"));
      }
      if (databaseConnectionLost(cause)) {
        return outage(PlatformError.DATABASE_UNAVAILABLE, "PostgreSQL is unavailable; retry shortly");
      }
      if (cause instanceof SplitBrainProtectionException) {
        return outage(PlatformError.CLUSTER_MINORITY, "this member is cut off from the cluster's majority and may"
          + " not change the mesh; retry shortly (another member may take it)");
      }
      if (cause instanceof ConnectionPoolTooBusyException) {
        return outage(PlatformError.OVERLOADED, "the service is overloaded; retry shortly");
      }
      if (cause instanceof TimeoutException || POOL_WAIT_TIMEOUT.equals(cause.getMessage())) {
        return outage(PlatformError.SERVICE_UNAVAILABLE, "a dependency did not answer in time; retry shortly");
      }
    }
    return failure;
  }

  /** The future's failure {@link #classify classified}; a success passes as it is. */
  public static <T> Future<T> classified(Future<T> result) {
    if (result.succeeded()) {
      return result;
    }
    return result.recover(failure -> Future.failedFuture(classify(failure)));
  }

  /**
   * The service behind a proxy of its contract whose futures fail {@link #classify classified}. Only methods
   * returning a {@link Future} are touched.
   */
  public static <T> T guard(Class<T> contract, T service) {
    InvocationHandler handler = (proxy, method, args) -> invoke(service, method, args);
    return contract.cast(Proxy.newProxyInstance(contract.getClassLoader(), new Class<?>[]{contract}, handler));
  }

  private static Object invoke(Object service, Method method, Object[] args) throws Throwable {
    Object result;
    try {
      result = method.invoke(service, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    return result instanceof Future<?> future ? classified(future) : result;
  }

  private static boolean databaseConnectionLost(Throwable cause) {
    if (cause instanceof PgException pg) {
      String state = pg.getSqlState();
      return state != null && (state.startsWith("08") || UNAVAILABLE_SQL_STATES.contains(state));
    }
    // The SQL pool is the only client whose connection failures reach a domain's boundary (Redis users fall back);
    // a connection the server resets while it stops fails with the transport's IOException.
    return cause instanceof ClosedConnectionException || cause instanceof ConnectTimeoutException
      || cause instanceof IOException;
  }

  /** The cause stays out of the answer (it names hosts); {@code /health} shows what is down and why. */
  private static ServiceException outage(PlatformError code, String message) {
    return code.exception(message, new JsonObject().put("retry_after_seconds", RETRY_AFTER_SECONDS));
  }
}
