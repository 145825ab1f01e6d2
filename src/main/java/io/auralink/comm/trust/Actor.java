package io.auralink.comm.trust;

import io.vertx.codegen.annotations.DataObject;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who asks the trust domain: a person acting as their AuraID (a user token), or a service with scopes
 * ({@code trust:read}, {@code trust:report}, {@code trust:write}, {@code trust:moderate}, {@code trust:admin}).
 */
@DataObject
public class Actor {

  public static final String READ = "trust:read";
  public static final String REPORT = "trust:report";
  public static final String WRITE = "trust:write";
  public static final String MODERATE = "trust:moderate";
  public static final String ADMIN = "trust:admin";

  private final String auraId;
  private final String service;
  private final Set<String> scopes;

  private Actor(String auraId, String service, Set<String> scopes) {
    this.auraId = auraId;
    this.service = service;
    this.scopes = Set.copyOf(scopes);
  }

  public Actor(JsonObject json) {
    this(json.getString("aura_id"), json.getString("service"), scopes(json.getJsonArray("scopes")));
  }

  /** A person acting as their own AuraID. */
  public static Actor person(String auraId) {
    return new Actor(auraId, null, Set.of());
  }

  /** A service (another domain, the dashboard, a moderator's console) with its scopes. */
  public static Actor service(String name, Set<String> scopes) {
    return new Actor(null, name, scopes);
  }

  public JsonObject toJson() {
    return new JsonObject().put("aura_id", auraId).put("service", service)
      .put("scopes", new JsonArray(scopes.stream().sorted().toList()));
  }

  /** The AuraID of a person, or null for a service. */
  public String auraId() {
    return auraId;
  }

  public boolean isPerson() {
    return auraId != null;
  }

  /** Whether the actor holds any of these scopes ({@code trust:admin} holds them all). */
  public boolean may(String... anyOf) {
    if (scopes.contains(ADMIN)) {
      return true;
    }
    for (String scope : anyOf) {
      if (scopes.contains(scope)) {
        return true;
      }
    }
    return false;
  }

  /** Who acted, for logs, history and events: {@code user:@alice.aura} or {@code service:console}. */
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
