package io.auralink.comm.call.livekit;

import io.vertx.core.Future;

/**
 * Decides whether an AuraID may get a LiveKit token through Element Call's exchange (ARCHITECTURE §9, Decision 4:
 * nothing acts for an AuraID that is unknown, deactivated or suspended). The node wires it to the identity and trust
 * contracts. A refusal fails with a {@link MatrixError} (e.g. {@link MatrixError#forbidden}); any other failure is
 * answered 500 {@code M_UNKNOWN}.
 */
@FunctionalInterface
public interface AuraIdAdmission {

  Future<Void> admit(String auraId);
}
