package io.auralink.comm.trust;

import io.auralink.comm.platform.ErrorCode;

/** The trust domain's failure codes and the HTTP status each one means (the README's error table says when). */
public enum TrustError implements ErrorCode {
  VALIDATION_FAILED(400),
  SELF_REPORT(400),
  FORBIDDEN(403),
  REPORTER_SUSPENDED(403),
  REPORTER_INACTIVE(403),
  /** A reported AuraID that does not exist or that the reporter may not see: the two answer alike. */
  AURAID_NOT_FOUND(404),
  REPORT_NOT_FOUND(404),
  FEDERATED_SERVER_NOT_FOUND(404),
  /** A reported mesh node that is not registered. */
  NODE_NOT_FOUND(404),
  DUPLICATE_REPORT(409),
  REPORT_STATE(409),
  SUSPENSION_STATE(409),
  /** A trust vouched for a mesh node that is a person's device (a peer), not an infrastructure relay. */
  NODE_NOT_INFRASTRUCTURE(409),
  /** Too many reports from one reporter; {@code details.retry_after_seconds} says when to try again. */
  RATE_LIMITED(429);

  private final int status;

  TrustError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
