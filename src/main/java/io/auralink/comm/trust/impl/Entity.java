package io.auralink.comm.trust.impl;

import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.trust.TrustError;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** An entity the trust domain scores, in canonical form: AuraIDs and domains lower-case. */
public record Entity(String type, String id) {

  public static final String AURA_ID = "aura_id";
  public static final String MESH_NODE = "mesh_node";
  public static final String FEDERATED_SERVER = "federated_server";

  /** The stored forms of ids other than AuraIDs (those follow {@link AuraIds}). */
  private static final Map<String, Pattern> FORMATS = Map.of(
    MESH_NODE, Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"),
    // ASCII-only case folding: no Unicode look-alike (such as the Kelvin sign) folds into another server's name.
    FEDERATED_SERVER, Pattern.compile("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$",
      Pattern.CASE_INSENSITIVE));
  private static final List<String> TYPES = List.of(AURA_ID, FEDERATED_SERVER, MESH_NODE);

  /** Parses a type and id, or fails with a 400 naming the field (under {@code field}, when given). */
  public static Entity of(String type, String id, String field) {
    String prefix = field == null ? "" : field + ".";
    if (type == null || !TYPES.contains(type)) {
      throw invalid(prefix + "entity_type", prefix + "entity_type must be one of " + String.join(", ", TYPES));
    }
    if (AURA_ID.equals(type)) {
      return new Entity(type, AuraIds.canonical(id)
        .orElseThrow(() -> invalid(prefix + "entity_id", AuraIds.malformed(prefix + "entity_id"))));
    }
    if (id == null || id.length() > 255 || !FORMATS.get(type).matcher(id).matches()) {
      throw invalid(prefix + "entity_id", prefix + "entity_id must be " + (MESH_NODE.equals(type)
        ? "a node id: up to 128 letters, digits, '.', '_', ':' or '-'" : "a server name such as matrix.example.org[:8448]"));
    }
    return new Entity(type, FEDERATED_SERVER.equals(type) ? id.toLowerCase(Locale.ROOT) : id);
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
    return TrustError.VALIDATION_FAILED.exception(message, ErrorCode.field(field));
  }
}
