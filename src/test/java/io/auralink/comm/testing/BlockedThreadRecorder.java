package io.auralink.comm.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Keeps the blocked-thread warnings Vert.x logs about its event loops, for {@link NoBlockedEventLoops}. */
public final class BlockedThreadRecorder extends AppenderBase<ILoggingEvent> {

  private static final ConcurrentLinkedQueue<String> WARNINGS = new ConcurrentLinkedQueue<>();

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    if (message.contains("eventloop")) {
      WARNINGS.add(message);
    }
  }

  /** Returns and forgets the warnings recorded so far. */
  public static List<String> drain() {
    List<String> drained = new ArrayList<>();
    for (String warning; (warning = WARNINGS.poll()) != null; ) {
      drained.add(warning);
    }
    return drained;
  }

  public static boolean isEmpty() {
    return WARNINGS.isEmpty();
  }
}
