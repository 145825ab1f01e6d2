package io.auralink.comm.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class during which Vert.x reported a blocked event loop. Registered for every class through
 * JUnit's extension auto-detection; the threshold is {@link TestNodes#BLOCKED_THREAD_WARNING}.
 */
public final class NoBlockedEventLoops implements BeforeAllCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    BlockedThreadRecorder.drain();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> warnings = BlockedThreadRecorder.drain();
    if (!warnings.isEmpty()) {
      fail("an event loop was blocked during " + context.getDisplayName() + ": " + warnings);
    }
  }
}
