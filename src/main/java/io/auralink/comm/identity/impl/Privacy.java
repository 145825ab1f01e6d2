package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;

/**
 * Who may see an AuraID, decided per request after the (caller-independent) cache read: administrators and the
 * owner (or a service acting as the owner) always; nobody else an inactive or suspended AuraID, nor one that has
 * blocked them; then {@code public} → anyone, {@code friends} → accepted contacts (both ways), {@code private} →
 * nobody, except accepted contacts for a reader with {@link IdentityService#CALL_PEERS} (contacts may call each
 * other). Seeing a profile is not seeing all of it: see {@link #seesEverything}.
 */
public final class Privacy {

  /** How the target relates to the viewer. */
  public enum Relation {
    NONE, FRIEND, BLOCKED_BY_TARGET;

    static Relation parse(String stored) {
      if (stored == null) {
        return NONE;
      }
      return switch (stored) {
        case "friend" -> FRIEND;
        case "blocked" -> BLOCKED_BY_TARGET;
        default -> NONE;
      };
    }

    String stored() {
      return this == FRIEND ? "friend" : "blocked";
    }
  }

  private Privacy() {
  }

  public static boolean canSee(Profile target, Caller caller, Relation relation) {
    if (administers(caller) || target.auraId().equals(caller.onBehalfOf())) {
      return true;
    }
    if (!target.active() || relation == Relation.BLOCKED_BY_TARGET) {
      return false;
    }
    return switch (target.privacyLevel()) {
      case "public" -> true;
      case "friends" -> relation == Relation.FRIEND;
      default -> relation == Relation.FRIEND && caller.mayAny(IdentityService.CALL_PEERS);
    };
  }

  /**
   * Whether the target is hidden from a viewer who may not see it by its privacy level alone (it is active and has
   * not blocked them, but is {@code private} or {@code friends} without them): a relation the two share (a request,
   * a friendship) still reveals it to that viewer for acting on that relation.
   */
  static boolean hiddenByPrivacyLevelOnly(Profile target, Relation relation) {
    return target.active() && relation != Relation.BLOCKED_BY_TARGET && !"public".equals(target.privacyLevel());
  }

  /**
   * Every field, the owner-only ones included ({@code user_id, status, suspension, matrix}): administrators, the
   * owner's own token, and a service acting as the owner that may change the AuraID anyway ({@code identity:write}
   * or {@code identity:admin}). A reader acting as the owner gets the owner's view of what exists, not the
   * account behind it.
   */
  public static boolean seesEverything(Profile target, Caller caller) {
    return administers(caller) || caller.is(target.auraId())
      || target.auraId().equals(caller.actsAs()) && mayWrite(caller);
  }

  /** {@code identity:admin} sees and changes everything, unless it acts as someone: then it has their view. */
  public static boolean administers(Caller caller) {
    return caller.actsAs() == null && caller.mayAny(IdentityService.ADMIN);
  }

  /** A service with {@code identity:write} or {@code identity:admin} may change any AuraID; a person only theirs. */
  static boolean mayWrite(Caller caller) {
    return caller.mayAny(IdentityService.WRITE, IdentityService.ADMIN);
  }

  /** Whether the answer depends on the caller's relation to the target (so the relation must be read). */
  static boolean needsRelation(Caller caller) {
    return caller.onBehalfOf() != null && !administers(caller);
  }
}
