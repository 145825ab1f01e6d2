package io.auralink.comm.notification;

import io.auralink.comm.platform.ErrorCode;

/** The notification hub's failure codes and the HTTP status each one means (the README's error table says when). */
public enum NotificationError implements ErrorCode {
  VALIDATION_FAILED(400),
  FORBIDDEN(403),
  AURAID_NOT_FOUND(404),
  /** No such app of this person. */
  APP_NOT_FOUND(404),
  /** No such notification, or another person's. */
  NOTIFICATION_NOT_FOUND(404),
  /** The person has an app with this id already. */
  APP_EXISTS(409),
  /** The person has {@code AURALINK_NOTIFICATION_MAX_APPS_PER_PERSON} apps; {@code details.max_apps}. */
  APP_LIMIT_REACHED(409),
  /** The identity registry (or, for ring receipts, the call domain) did not answer. */
  IDENTITY_UNAVAILABLE(503);

  private final int status;

  NotificationError(int status) {
    this.status = status;
  }

  @Override
  public int status() {
    return status;
  }
}
