package io.auralink.comm.identity;

import io.auralink.comm.platform.ErrorCode;

/** The registry's failure codes and the HTTP status each one means. */
public enum IdentityError implements ErrorCode {
  AURAID_INVALID(400),
  AURAID_RESERVED(400),
  INVALID_FIELD(400),
  AURAID_NOT_FOUND(404),
  FORBIDDEN(403),
  AURAID_TAKEN(409),
  ACCOUNT_HAS_AURAID(409),
  AURAID_STATE(409),
  CONTACT_STATE(409);

  private final int status;

  IdentityError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
