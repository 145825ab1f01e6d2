package io.auralink.comm.identity;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonObject;

/**
 * Who is asking the registry, which decides what they may see and change: a person acting as their AuraID, a
 * service acting for a person ({@code as}), a service acting for nobody in particular, or an administrator
 * ({@code identity:admin}) who sees everything.
 */
@DataObject
public class Viewer {

  private final String auraId;
  private final boolean admin;
  private final boolean mayWrite;
  private final String principal;

  public Viewer(String auraId, boolean admin, boolean mayWrite, String principal) {
    this.auraId = auraId;
    this.admin = admin;
    this.mayWrite = mayWrite;
    this.principal = principal;
  }

  public Viewer(JsonObject json) {
    this(json.getString("aura_id"), json.getBoolean("admin", false), json.getBoolean("may_write", false),
      json.getString("principal", "unknown"));
  }

  /** A person acting as their own AuraID (a user token). */
  public static Viewer person(String auraId) {
    return new Viewer(auraId, false, false, "user:" + auraId);
  }

  /** A service, optionally acting with the view of {@code asAuraId}. */
  public static Viewer service(String name, String asAuraId, boolean admin, boolean mayWrite) {
    return new Viewer(asAuraId, admin && asAuraId == null, mayWrite || admin, "service:" + name);
  }

  public JsonObject toJson() {
    return new JsonObject().put("aura_id", auraId).put("admin", admin).put("may_write", mayWrite)
      .put("principal", principal);
  }

  /** The AuraID whose view applies, or null for a service acting for nobody. */
  public String auraId() {
    return auraId;
  }

  /** An administrator sees and changes everything, including inactive and suspended AuraIDs. */
  public boolean admin() {
    return admin;
  }

  /** A service with {@code identity:write} (or admin) may change any AuraID; a person only their own. */
  public boolean mayWrite() {
    return mayWrite;
  }

  /** Who made the request, for logs and events. */
  public String principal() {
    return principal;
  }

  public boolean isOwnerOf(String target) {
    return auraId != null && auraId.equals(target);
  }
}
