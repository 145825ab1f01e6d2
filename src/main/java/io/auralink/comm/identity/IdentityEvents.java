package io.auralink.comm.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * Events the registry publishes on {@link #CHANGED} after every change is stored:
 * {@code {"kind", "aura_ids": [...], "by", "at"}}, where {@code kind} is one of {@link Kind}'s ids.
 */
public final class IdentityEvents {

  public static final String CHANGED = "auralink.identity.changed";

  public enum Kind {
    REGISTERED, UPDATED, DEACTIVATED, REACTIVATED, CONTACTS, MATRIX_PROVISIONED, TRUST;

    public String id() {
      return name().toLowerCase();
    }
  }

  private IdentityEvents() {
  }

  public static JsonObject changed(Kind kind, List<String> auraIds, String by) {
    return new JsonObject().put("kind", kind.id()).put("aura_ids", new JsonArray(auraIds)).put("by", by)
      .put("at", Instant.now().toString());
  }
}
