package io.auralink.comm.platform;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who calls a domain over the event bus: a person acting as their AuraID (a user token), or a service with the
 * scopes of its token, possibly acting as a person ({@link #actingAs}). Domains decide what each may do; the api
 * builds it from the verified token.
 */
@DataObject
public class Caller {

  private final String auraId;
  private final String service;
  private final Set<String> scopes;
  /** The scopes in the order {@link #toJson} writes them, sorted once. */
  private final List<String> sortedScopes;
  private final String actsAs;

  private Caller(String auraId, String service, Set<String> scopes, String actsAs) {
    this.auraId = auraId;
    this.service = service;
    this.scopes = Set.copyOf(scopes);
    this.sortedScopes = this.scopes.stream().sorted().toList();
    this.actsAs = actsAs;
  }

  public Caller(JsonObject json) {
    this(json.getString("aura_id"), json.getString("service"), scopes(json.getJsonArray("scopes")),
      json.getString("as"));
  }

  /** A person acting as their own AuraID. */
  public static Caller person(String auraId) {
    return new Caller(auraId, null, Set.of(), null);
  }

  /** A service (another domain, the dashboard, an operator's console) with its scopes. */
  public static Caller service(String name, Set<String> scopes) {
    return new Caller(null, name, scopes, null);
  }

  /**
   * This service acting as a person: where a domain offers a person's view (identity's {@code as}), the service
   * gets that person's, and its scopes still decide what it may do. A person acts only as themself.
   */
  public Caller actingAs(String personAuraId) {
    if (isPerson()) {
      throw new IllegalStateException("a person acts only as their own AuraID");
    }
    return new Caller(null, service, scopes, personAuraId);
  }

  public JsonObject toJson() {
    return new JsonObject().put("aura_id", auraId).put("service", service)
      .put("scopes", new JsonArray(sortedScopes)).put("as", actsAs);
  }

  /** The AuraID of a person, or null for a service. */
  public String auraId() {
    return auraId;
  }

  /** The AuraID a service acts as, or null. */
  public String actsAs() {
    return actsAs;
  }

  /** The AuraID whose view applies: the person's own, the one a service acts as, or null for neither. */
  public String onBehalfOf() {
    return isPerson() ? auraId : actsAs;
  }

  public boolean isPerson() {
    return auraId != null;
  }

  /** Whether the caller is this person (a service acting as them is not). */
  public boolean is(String auraId) {
    return this.auraId != null && this.auraId.equals(auraId);
  }

  /**
   * Whether the caller may act for {@code auraId} (a canonical AuraID), the one rule every domain applies when a
   * path or body names the AuraID an operation is done for: the person themself; a service acting as that person
   * ({@link #actingAs}: it acts for them and nobody else, whatever its scopes); or a service acting for nobody that
   * holds one of {@code anyOf} (the scopes that let a service act for anyone in this operation). Whether the caller
   * may call the operation at all (its scope) is checked apart. A domain refuses a false answer with
   * {@code FORBIDDEN} naming the field that held the AuraID.
   */
  public boolean mayActFor(String auraId, String... anyOf) {
    if (auraId == null) {
      return false;
    }
    if (isPerson()) {
      return this.auraId.equals(auraId);
    }
    return actsAs != null ? actsAs.equals(auraId) : mayAny(anyOf);
  }

  /** Whether the caller holds any of these scopes. */
  public boolean mayAny(String... anyOf) {
    for (String scope : anyOf) {
      if (scopes.contains(scope)) {
        return true;
      }
    }
    return false;
  }

  /** Who called, for logs, history and events: {@code user:@alice.aura} or {@code service:console}. */
  public String principal() {
    return isPerson() ? "user:" + auraId : "service:" + service;
  }

  private static Set<String> scopes(JsonArray array) {
    Set<String> scopes = new LinkedHashSet<>();
    if (array != null) {
      array.forEach(s -> scopes.add(String.valueOf(s)));
    }
    return scopes;
  }
}
