package io.auralink.comm.verification.channels;

import io.vertx.core.Future;

import java.time.Duration;

/**
 * One way of delivering a code. A send succeeds only once the provider took the message; otherwise it fails with
 * a {@link io.auralink.comm.verification.VerificationError} ({@code DESTINATION_REJECTED}, {@code DELIVERY_FAILED}),
 * so that "sent" is never answered for a message that was not.
 */
public interface Channel {

  /** The provider's reference for a message it took (Twilio's message SID), or null. */
  Future<String> send(String destination, String code, Duration validFor);

  /** Releases the channel's clients. */
  Future<Void> close();
}
