package io.auralink.comm.platform.storage;

import io.vertx.core.Future;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import io.vertx.serviceproxy.ServiceException;
import io.vertx.sqlclient.ClosedConnectionException;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which failures are outages (a 503 code with a retry delay) and which pass unchanged. */
class StorageFailuresTest {

  /** A domain's contract, as far as the guard cares: futures, and anything else. */
  interface Contract {
    Future<String> call(Throwable failure);

    String plain();
  }

  @Test
  void outages_become_503_codes_with_a_retry_delay() {
    Map<Throwable, String> outages = new LinkedHashMap<>();
    outages.put(new PgException("the database system is shutting down", "FATAL", "57P03", null), "DATABASE_UNAVAILABLE");
    outages.put(new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
      "DATABASE_UNAVAILABLE");
    outages.put(new PgException("connection failure", "FATAL", "08006", null), "DATABASE_UNAVAILABLE");
    outages.put(new PgException("sorry, too many clients already", "FATAL", "53300", null), "DATABASE_UNAVAILABLE");
    outages.put(ClosedConnectionException.INSTANCE, "DATABASE_UNAVAILABLE");
    outages.put(new ConnectException("Connection refused"), "DATABASE_UNAVAILABLE");
    outages.put(new VertxException("wrapped", new ConnectException("Connection refused")), "DATABASE_UNAVAILABLE");
    // What a pooled connection fails with when PostgreSQL resets it while stopping (seen in ClusterFaultsTest).
    outages.put(new java.io.IOException("recvAddress(..) failed with error(-104): Connection reset by peer"),
      "DATABASE_UNAVAILABLE");
    outages.put(new java.nio.channels.ClosedChannelException(), "DATABASE_UNAVAILABLE");
    outages.put(new ConnectionPoolTooBusyException("Connection pool reached max wait queue size of 1024"), "OVERLOADED");
    outages.put(new VertxException("Timeout waiting for connection", true), "SERVICE_UNAVAILABLE");
    outages.put(new TimeoutException("no answer"), "SERVICE_UNAVAILABLE");
    outages.forEach((failure, code) -> {
      ServiceException classified = assertInstanceOf(ServiceException.class, StorageFailures.classify(failure),
        failure.toString());
      assertEquals(503, classified.failureCode(), failure.toString());
      assertEquals(code, classified.getDebugInfo().getString("code"), failure.toString());
      assertEquals(StorageFailures.RETRY_AFTER_SECONDS,
        classified.getDebugInfo().getJsonObject("details").getInteger("retry_after_seconds"));
    });
  }

  @Test
  void text_postgresql_cannot_store_is_a_400_never_a_500() {
    for (String state : new String[]{"22021", "22P05"}) {
      Throwable refused = new VertxException("wrapped",
        new PgException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", state, null));
      ServiceException classified = assertInstanceOf(ServiceException.class, StorageFailures.classify(refused), state);
      assertEquals(400, classified.failureCode(), state);
      assertEquals("VALIDATION_FAILED", classified.getDebugInfo().getString("code"), state);
    }
  }

  @Test
  void domain_failures_and_bugs_pass_unchanged() {
    Throwable uniqueViolation = new PgException("duplicate key", "ERROR", "23505", null);
    Throwable domain = new ServiceException(409, "taken");
    Throwable bug = new NullPointerException("oops");
    assertSame(uniqueViolation, StorageFailures.classify(uniqueViolation));
    assertSame(domain, StorageFailures.classify(domain));
    assertSame(bug, StorageFailures.classify(bug));
  }

  @Test
  void a_guarded_service_answers_outages_classified_and_everything_else_as_it_was() {
    Contract service = new Contract() {
      @Override
      public Future<String> call(Throwable failure) {
        return failure == null ? Future.succeededFuture("done") : Future.failedFuture(failure);
      }

      @Override
      public String plain() {
        throw new IllegalStateException("thrown as it is");
      }
    };
    Contract guarded = StorageFailures.guard(Contract.class, service);

    assertEquals("done", guarded.call(null).result());
    ServiceException outage = assertInstanceOf(ServiceException.class,
      guarded.call(ClosedConnectionException.INSTANCE).cause());
    assertEquals("DATABASE_UNAVAILABLE", outage.getDebugInfo().getString("code"));
    Throwable bug = new IllegalArgumentException("bug");
    assertSame(bug, guarded.call(bug).cause());
    assertThrows(IllegalStateException.class, guarded::plain);
  }
}
