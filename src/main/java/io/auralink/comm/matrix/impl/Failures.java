package io.auralink.comm.matrix.impl;

import io.vertx.serviceproxy.ServiceException;

/** How the bridge reads a domain's failure: its stable code, and whether trying again can help. */
final class Failures {

  private Failures() {
  }

  /** The domain's failure code ({@code AURAID_NOT_FOUND}, …), or null for a failure that is not a domain answer. */
  static String code(Throwable failure) {
    if (failure instanceof ServiceException e && e.getDebugInfo() != null) {
      return e.getDebugInfo().getString("code");
    }
    return null;
  }

  /**
   * Whether the failure is a definite answer: a domain refusal (4xx), or a homeserver refusal that will not change.
   * Timeouts, missing handlers, 5xx and network errors are transient: the event is tried again.
   */
  static boolean permanent(Throwable failure) {
    if (failure instanceof ServiceException e) {
      return e.failureCode() >= 400 && e.failureCode() < 500;
    }
    if (failure instanceof HomeserverClient.HomeserverException e) {
      return e.permanent();
    }
    return false;
  }
}
