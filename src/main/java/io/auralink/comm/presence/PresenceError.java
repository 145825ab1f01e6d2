package io.auralink.comm.presence;

import io.auralink.comm.platform.ErrorCode;

/** The presence domain's failure codes and the HTTP status each one means (the README's error table says when). */
public enum PresenceError implements ErrorCode {
  VALIDATION_FAILED(400),
  FORBIDDEN(403),
  /** The AuraID whose devices are set does not exist or is not active. */
  AURAID_NOT_FOUND(404),
  /** The identity registry did not answer who may see whom. */
  IDENTITY_UNAVAILABLE(503),
  /** Redis, where presence lives, did not answer: never answered as a wrong {@code offline}. */
  PRESENCE_UNAVAILABLE(503);

  private final int status;

  PresenceError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
