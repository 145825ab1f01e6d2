package io.auralink.comm.identity;

import io.auralink.comm.platform.ErrorCode;

/** The registry's failure codes and the HTTP status each one means (the README's error table says when). */
public enum IdentityError implements ErrorCode {
  /** A field breaks a rule: a username's or AuraID's form, a display name, an avatar URL, a privacy level. */
  VALIDATION_FAILED(400),
  AURAID_RESERVED(400),
  FORBIDDEN(403),
  /** No such AuraID, or one the caller may not see: the two answer alike. */
  AURAID_NOT_FOUND(404),
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
