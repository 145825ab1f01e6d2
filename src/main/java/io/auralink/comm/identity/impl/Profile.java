package io.auralink.comm.identity.impl;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.OffsetDateTime;

/**
 * One AuraID with its Matrix mapping, as stored. It is cached whole (viewer-independent); what a viewer gets
 * is decided afterwards by {@link Privacy} and shaped by {@link #view}.
 */
public record Profile(String auraId, String username, String userId, String displayName, String avatarUrl,
                      String privacyLevel, String status, boolean verified, String trustLevel,
                      String suspensionReason, OffsetDateTime suspendedAt, String suspendedBy,
                      OffsetDateTime createdAt, String matrixUserId, String matrixState) {

  public static final String ACTIVE = "active";

  static Profile from(Row row) {
    return new Profile(row.getString("aura_id"), row.getString("username"), row.getString("user_id"),
      row.getString("display_name"), row.getString("avatar_url"), row.getString("privacy_level"),
      row.getString("status"), row.getBoolean("verified"), row.getString("trust_level"),
      row.getString("suspension_reason"), row.getOffsetDateTime("suspended_at"), row.getString("suspended_by"),
      row.getOffsetDateTime("created_at"), row.getString("matrix_user_id"), row.getString("matrix_state"));
  }

  public boolean active() {
    return ACTIVE.equals(status);
  }

  /** The revealed fields; {@code full} adds what only the owner and administrators see. */
  public JsonObject view(boolean full) {
    JsonObject json = new JsonObject()
      .put("aura_id", auraId)
      .put("username", username)
      .put("display_name", displayName)
      .put("avatar_url", avatarUrl)
      .put("matrix_user_id", matrixUserId)
      .put("privacy_level", privacyLevel)
      .put("verified", verified)
      .put("trust_level", trustLevel)
      .put("created_at", createdAt.toInstant().toString());
    if (full) {
      json.put("user_id", userId)
        .put("status", status)
        .put("suspension", suspendedAt == null ? null : new JsonObject()
          .put("reason", suspensionReason)
          .put("at", suspendedAt.toInstant().toString())
          .put("by", suspendedBy))
        .put("matrix", new JsonObject().put("user_id", matrixUserId).put("state", matrixState));
    }
    return json;
  }

  /** The complete record, for the cache. */
  JsonObject toJson() {
    return view(true).put("suspension_reason", suspensionReason).put("suspended_by", suspendedBy)
      .put("suspended_at", suspendedAt == null ? null : suspendedAt.toString())
      .put("created_at", createdAt.toString())
      .put("matrix_state", matrixState);
  }

  static Profile fromJson(JsonObject json) {
    String suspendedAt = json.getString("suspended_at");
    return new Profile(json.getString("aura_id"), json.getString("username"), json.getString("user_id"),
      json.getString("display_name"), json.getString("avatar_url"), json.getString("privacy_level"),
      json.getString("status"), json.getBoolean("verified"), json.getString("trust_level"),
      json.getString("suspension_reason"), suspendedAt == null ? null : OffsetDateTime.parse(suspendedAt),
      json.getString("suspended_by"), OffsetDateTime.parse(json.getString("created_at")),
      json.getString("matrix_user_id"), json.getString("matrix_state"));
  }
}
