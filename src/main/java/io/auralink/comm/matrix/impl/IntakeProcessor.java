package io.auralink.comm.matrix.impl;

import io.auralink.comm.platform.config.AppConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Applies the durable intake: claims the head event of each room with due work (a lease, so a member that dies
 * mid-processing hands its claims over when they expire), hands each to the handler of its kind, and records the
 * outcome. Rooms proceed in parallel and each room strictly in order. A transient failure keeps the event at its
 * room's head and retries it with backoff; after the last attempt it is set aside as {@code failed} so the room moves
 * on. One sweep at a time per processor; a nudge during a sweep runs another right after it.
 */
final class IntakeProcessor {

  private static final Logger LOG = LoggerFactory.getLogger(IntakeProcessor.class);

  private final IntakeStore store;
  private final AppConfig.MatrixBridge config;
  private final String member;
  private final Function<IntakeStore.Claimed, Future<String>> handler;
  private final MeterRegistry metrics;
  private boolean sweeping;
  private boolean again;
  private boolean stopped;

  IntakeProcessor(IntakeStore store, AppConfig.MatrixBridge config, String member,
                  Function<IntakeStore.Claimed, Future<String>> handler, MeterRegistry metrics) {
    this.store = store;
    this.config = config;
    this.member = member;
    this.handler = handler;
    this.metrics = metrics;
  }

  /** Processes what is due now, and keeps going while claims come back. */
  void nudge() {
    if (stopped) {
      return;
    }
    if (sweeping) {
      again = true;
      return;
    }
    sweeping = true;
    again = false;
    store.claim(config.claimBatch(), config.lease().toSeconds(), member)
      .compose(claimed -> Future.join(claimed.stream().map(this::apply).toList()).map(all -> claimed.size()))
      .onComplete(result -> {
        sweeping = false;
        if (result.failed()) {
          LOG.warn("Matrix intake sweep failed {}", kv("error", result.cause().getMessage()));
        } else if (result.result() > 0 || again) {
          nudge();
        }
      });
  }

  void stop() {
    stopped = true;
  }

  private Future<Void> apply(IntakeStore.Claimed event) {
    Future<String> outcome;
    try {
      outcome = handler.apply(event);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    return outcome
      .compose(done -> {
        count(event, "done");
        return store.done(event.seq(), member, truncate(done));
      })
      .recover(failure -> {
        String error = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        if (Failures.permanent(failure) || event.attempts() >= config.maxAttempts()) {
          count(event, "failed");
          LOG.error("Matrix event set aside {} {} {} {} {}", kv("event_id", event.eventId()), kv("room_id", event.roomId()),
            kv("type", event.type()), kv("attempts", event.attempts()), kv("error", error));
          return store.failed(event.seq(), member, truncate(error));
        }
        count(event, "retried");
        double delay = Math.min(config.lease().toSeconds(), 0.25 * (1L << Math.min(event.attempts(), 16)));
        LOG.warn("Matrix event will be retried {} {} {} {}", kv("event_id", event.eventId()), kv("type", event.type()),
          kv("attempt", event.attempts()), kv("error", error));
        return store.retry(event.seq(), member, delay, truncate(error));
      });
  }

  private void count(IntakeStore.Claimed event, String result) {
    metrics.counter("auralink_matrix_events_processed_total", "type", event.type(), "result", result).increment();
  }

  private static String truncate(String text) {
    return text == null ? null : text.length() <= 500 ? text : text.substring(0, 500);
  }
}
