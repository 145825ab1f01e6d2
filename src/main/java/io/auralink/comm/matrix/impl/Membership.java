package io.auralink.comm.matrix.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * Room membership toward the bridge's users. A homeserver sends a room's events to the Application Service only once
 * one of its users is in the room, so an invite of one of our users is accepted at once: the user (registered first
 * if needed) joins as the AS. Invites of users whose AuraID does not exist, or is hidden, deactivated or suspended,
 * are left alone.
 */
final class Membership {

  private final IdentityService identity;
  private final HomeserverClient homeserver;
  private final MatrixUsers users;
  private final Caller bridge;

  Membership(IdentityService identity, HomeserverClient homeserver, MatrixUsers users, Caller bridge) {
    this.identity = identity;
    this.homeserver = homeserver;
    this.users = users;
    this.bridge = bridge;
  }

  Future<String> handle(IntakeStore.Claimed claimed) {
    JsonObject event = claimed.event();
    String invited = event.getString("state_key");
    String membership = event.getJsonObject("content", new JsonObject()).getString("membership");
    if (!"invite".equals(membership)) {
      return Future.succeededFuture("ignored: membership " + membership);
    }
    Optional<String> auraId = users.auraId(invited);
    if (auraId.isEmpty()) {
      return Future.succeededFuture("ignored: invitee not bridged");
    }
    if (!homeserver.configured()) {
      return Future.succeededFuture("ignored: no homeserver configured to join through");
    }
    return exists(auraId.get()).compose(exists -> !exists
      ? Future.succeededFuture("ignored: no such AuraID")
      : homeserver.register(MatrixUsers.localpart(invited))
        .compose(registered -> homeserver.join(invited, claimed.roomId()))
        .map("joined as " + invited));
  }

  /** Whether the AuraID exists and may be acted for (an unknown or hidden one answers AURAID_NOT_FOUND). */
  Future<Boolean> exists(String auraId) {
    return identity.resolve(auraId, bridge).map(true)
      .recover(failure -> Failures.permanent(failure) ? Future.succeededFuture(false) : Future.failedFuture(failure));
  }
}
