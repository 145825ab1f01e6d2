package io.auralink.comm.verification;

import io.auralink.comm.platform.ErrorCode;

/** The verification domain's failure codes and the HTTP status each one means (the README's error table says when). */
public enum VerificationError implements ErrorCode {
  VALIDATION_FAILED(400),
  /** A wrong code; {@code details.attempts_left} says how many remain. */
  INVALID_CODE(400),
  FORBIDDEN(403),
  /** The AuraID to verify is not registered. */
  AURAID_NOT_FOUND(404),
  VERIFICATION_NOT_FOUND(404),
  /** The challenge is no longer pending (completed, cancelled, exhausted, undelivered); {@code details.status}. */
  CHALLENGE_STATE(409),
  /** The phone number (or, unless allowed, the email address) is already verified by another AuraID. */
  DESTINATION_TAKEN(409),
  /** The challenge's time ran out before it was completed. */
  CHALLENGE_EXPIRED(410),
  /** The provider refused the destination ({@code details.reason}: {@code invalid_number}, {@code unsubscribed}). */
  DESTINATION_REJECTED(422),
  /** Too many sends; {@code details.retry_after_seconds} says when to try again. */
  RATE_LIMITED(429),
  /** The provider failed to take the message: nothing was sent. */
  DELIVERY_FAILED(502),
  /** A provider callback whose signature does not verify (or whose provider is not configured). */
  WEBHOOK_REJECTED(401),
  /** The method's channel is not configured on this deployment: nothing was sent. */
  CHANNEL_UNAVAILABLE(503);

  private final int status;

  VerificationError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
