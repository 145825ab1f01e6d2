package io.auralink.comm.identity.impl;

import io.auralink.comm.identity.Viewer;

/**
 * Who may see an AuraID, decided per request after the (viewer-independent) cache read:
 * administrators and the owner always; nobody else an inactive or suspended AuraID, nor one that has blocked
 * them; then {@code public} → anyone, {@code friends} → accepted contacts (both ways), {@code private} → nobody.
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

  public static boolean canSee(Profile target, Viewer viewer, Relation relation) {
    if (seesEverything(target, viewer)) {
      return true;
    }
    if (!target.active() || relation == Relation.BLOCKED_BY_TARGET) {
      return false;
    }
    return switch (target.privacyLevel()) {
      case "public" -> true;
      case "friends" -> relation == Relation.FRIEND;
      default -> false;
    };
  }

  /** The owner and administrators see every field, whatever the status. */
  public static boolean seesEverything(Profile target, Viewer viewer) {
    return viewer.admin() || viewer.isOwnerOf(target.auraId());
  }

  /** Whether the answer depends on the viewer's relation to the target (so the relation must be read). */
  static boolean needsRelation(Viewer viewer) {
    return viewer.auraId() != null && !viewer.admin();
  }
}
