package io.auralink.comm.platform.crypto;

/**
 * A sealed value that cannot be opened: it names a key no longer configured, is malformed, or does not authenticate
 * (altered in the database, or copied from another row or column). The message names the column, never the value.
 */
public final class UnreadableValueException extends RuntimeException {

  public UnreadableValueException(String message) {
    super(message);
  }
}
