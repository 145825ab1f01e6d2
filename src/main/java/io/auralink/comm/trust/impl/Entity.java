package io.auralink.comm.trust.impl;

import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.trust.TrustError;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** An entity the trust domain scores, in canonical form: AuraIDs and domains lower-case. */
public record Entity(String type, String id) {

  public static final String AURA_ID = "aura_id";
  public static final String MESH_NODE = "mesh_node";
  public static final String FEDERATED_SERVER = "federated_server";

  private static final Map<String, Pattern> FORMATS = Map.of(
    AURA_ID, Pattern.compile("^@[a-z0-9][a-z0-9_]{2,19}\\.aura$"),
    MESH_NODE, Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
    FEDERATED_SERVER, Pattern.compile("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$"));

  /** Parses a type and id, or fails with a 400 naming the field (under {@code field}, when given). */
  public static Entity of(String type, String id, String field) {
    String prefix = field == null ? "" : field + ".";
    Pattern format = type == null ? null : FORMATS.get(type);
    if (format == null) {
      throw invalid(prefix + "entity_type", "entity_type is one of " + FORMATS.keySet().stream().sorted().toList());
    }
    String canonical = id == null || MESH_NODE.equals(type) ? id : id.toLowerCase(Locale.ROOT);
    if (canonical == null || canonical.length() > 255 || !format.matcher(canonical).matches()) {
      throw invalid(prefix + "entity_id", "entity_id is not a valid " + type);
    }
    return new Entity(type, canonical);
  }

  public static Entity of(JsonObject json, String field) {
    if (json == null) {
      throw invalid(field, field + " is required: {entity_type, entity_id}");
    }
    return of(json.getString("entity_type"), json.getString("entity_id"), field);
  }

  public JsonObject toJson() {
    return new JsonObject().put("entity_type", type).put("entity_id", id);
  }

  /** The form used to tell reporters apart. */
  public String key() {
    return type + ":" + id;
  }

  static ServiceException invalid(String field, String message) {
    return TrustError.INVALID_FIELD.exception(message, ErrorCode.field(field));
  }
}
