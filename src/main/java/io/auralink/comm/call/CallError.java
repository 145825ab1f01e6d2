package io.auralink.comm.call;

import io.auralink.comm.platform.ErrorCode;

/** The call domain's failure codes and the HTTP status each one means (the README's error table says when). */
public enum CallError implements ErrorCode {
  VALIDATION_FAILED(400),
  /** A LiveKit webhook whose signature, body hash or time does not verify (or LiveKit is not configured). */
  WEBHOOK_REJECTED(401),
  FORBIDDEN(403),
  /** A party that does not exist, or that the caller may not call or see: the answers are identical. */
  AURAID_NOT_FOUND(404),
  /** No such call, or one the caller takes no part in. */
  CALL_NOT_FOUND(404),
  /** The call's state does not allow this; {@code details.state} names the current one. */
  CALL_STATE(409),
  /** The identity registry did not answer whether the parties may call each other. */
  IDENTITY_UNAVAILABLE(503),
  /** The mesh did not answer the route query. */
  ROUTE_UNAVAILABLE(503),
  /** LiveKit did not create the call's room: the call failed; {@code details.call_id} names it. */
  MEDIA_UNAVAILABLE(503);

  private final int status;

  CallError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
