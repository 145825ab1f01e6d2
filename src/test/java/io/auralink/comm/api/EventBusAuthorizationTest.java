package io.auralink.comm.api;

import io.auralink.comm.call.CallService;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.node.Node;
import io.auralink.comm.notification.NotificationService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.presence.PresenceService;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.auralink.comm.trust.TrustService;
import io.auralink.comm.verification.VerificationService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The authorization table holds on the event bus too: a domain's service proxy, called with a {@link Caller} that is
 * another person, a service without the operation's scope, or a service holding it but acting as another person, is
 * refused exactly as over HTTP (403 FORBIDDEN naming the field), while the owner is served. One representative
 * operation per domain, each naming the owner's AuraID.
 */
@Timeout(120)
class EventBusAuthorizationTest {

  private static final long TIMEOUT_MILLIS = 10_000;

  private static Node node;
  private static Http http;
  private static String owner;
  private static String other;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("authz-bus");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    String registrar = new Tokens(node.vertx()).hs256(Tokens.service("dashboard", "identity:write"));
    owner = http.register(registrar, "busowner" + System.nanoTime() % 100000);
    other = http.register(registrar, "busother" + System.nanoTime() % 100000);
  }

  @AfterAll
  static void stopNode() {
    if (http != null) {
      http.close();
    }
    TestNodes.stop(node);
  }

  /** A representative operation of one domain, on the owner's AuraID, with the scope that lets a service act for anyone. */
  record Operation(String name, String scope, String field, BiFunction<Vertx, Caller, Future<JsonObject>> call) {
  }

  private static List<Operation> operations() {
    Vertx vertx = node.vertx();
    return List.of(
      new Operation("identity update", "identity:write", "aura_id", (v, caller) ->
        IdentityService.proxy(vertx, TIMEOUT_MILLIS).update(owner, new JsonObject().put("display_name", "Own"), caller)),
      new Operation("mesh nodesOf", "mesh:read", "aura_id", (v, caller) ->
        MeshService.proxy(vertx, TIMEOUT_MILLIS).nodesOf(owner, caller)),
      new Operation("trust trustInfo", "trust:read", "entity_id", (v, caller) ->
        TrustService.proxy(vertx, TIMEOUT_MILLIS).trustInfo("aura_id", owner, caller)),
      new Operation("call history", "calls:read", "aura_id", (v, caller) ->
        CallService.proxy(vertx, TIMEOUT_MILLIS).history(new JsonObject().put("aura_id", owner), caller)),
      new Operation("presence setVisibility", "presence:write", "aura_id", (v, caller) ->
        PresenceService.proxy(vertx, TIMEOUT_MILLIS).setVisibility(owner, new JsonObject().put("visible_to", "everyone"),
          caller)),
      new Operation("notification apps", "notifications:read", "aura_id", (v, caller) ->
        NotificationService.proxy(vertx, TIMEOUT_MILLIS).apps(owner, caller)),
      new Operation("verification list", "verification:read", "aura_id", (v, caller) ->
        VerificationService.proxy(vertx, TIMEOUT_MILLIS).list(owner, 10, null, caller)));
  }

  @TestFactory
  Stream<DynamicTest> each_domain_refuses_on_the_bus_whom_the_table_refuses_over_http() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Operation operation : operations()) {
      tests.add(DynamicTest.dynamicTest(operation.name() + " by the owner is served", () ->
        Await.result(operation.call().apply(node.vertx(), Caller.person(owner)))));
      tests.add(DynamicTest.dynamicTest(operation.name() + " by a service with the scope is served", () ->
        Await.result(operation.call().apply(node.vertx(), Caller.service("holder", Set.of(operation.scope()))))));
      Map<String, Caller> refused = Map.of(
        "another person", Caller.person(other),
        "a service without the scope", Caller.service("stranger", Set.of("auralink:unrelated")),
        "a service with the scope acting as another person",
        Caller.service("bridge", Set.of(operation.scope())).actingAs(other));
      refused.forEach((who, caller) -> tests.add(DynamicTest.dynamicTest(operation.name() + " by " + who
        + " is 403 naming " + operation.field(), () -> {
          ServiceException failure = assertInstanceOf(ServiceException.class,
            Await.failure(operation.call().apply(node.vertx(), caller)));
          assertEquals(403, failure.failureCode(), failure.getMessage());
          JsonObject debug = failure.getDebugInfo();
          assertEquals("FORBIDDEN", debug.getString("code"), failure.getMessage());
          String field = debug.getJsonObject("details", new JsonObject()).getString("field");
          // A missing scope may be refused as such (no field, like the edge's refusal); any other refusal names it.
          if (!(who.equals("a service without the scope") && field == null)) {
            assertEquals(operation.field(), field, failure.getMessage());
          }
        })));
    }
    return tests.stream();
  }

  /**
   * Acting as a person binds a service to that person's nodes, calls and reports, whatever its scopes: another's
   * node or call answers like an unknown one, a report names only that person as its reporter.
   */
  @Test
  void a_service_acting_as_a_person_reaches_nothing_of_anyone_else() {
    Vertx vertx = node.vertx();
    String third = http.register(new Tokens(vertx).hs256(Tokens.service("dashboard", "identity:write")),
      "busthird" + System.nanoTime() % 100000);
    String nodeId = Await.result(MeshService.proxy(vertx, TIMEOUT_MILLIS).registerNode(new JsonObject()
      .put("device_id", "phone").put("address", "203.0.113.9:4000"), Caller.person(owner))).getString("node_id");
    Caller meshOps = Caller.service("ops", Set.of("mesh:write", "mesh:read")).actingAs(other);
    refused(MeshService.proxy(vertx, TIMEOUT_MILLIS).updateNode(nodeId, new JsonObject().put("region", "x"), meshOps),
      404, "NODE_NOT_FOUND", null);
    refused(MeshService.proxy(vertx, TIMEOUT_MILLIS).node(nodeId, meshOps), 404, "NODE_NOT_FOUND", null);
    Await.result(MeshService.proxy(vertx, TIMEOUT_MILLIS).node(nodeId,
      Caller.service("ops", Set.of("mesh:read")).actingAs(owner)));

    String callId = Await.result(CallService.proxy(vertx, TIMEOUT_MILLIS).invite(new JsonObject()
      .put("callee_aura_id", third).put("device_id", "phone"), Caller.person(owner))).getString("call_id");
    Caller bridge = Caller.service("bridge", Set.of("calls:read", "calls:write")).actingAs(other);
    refused(CallService.proxy(vertx, TIMEOUT_MILLIS).call(callId, bridge), 404, "CALL_NOT_FOUND", null);
    refused(CallService.proxy(vertx, TIMEOUT_MILLIS).cancel(callId, new JsonObject(), bridge), 404, "CALL_NOT_FOUND",
      null);
    Await.result(CallService.proxy(vertx, TIMEOUT_MILLIS).call(callId,
      Caller.service("bridge", Set.of("calls:read")).actingAs(third)));

    JsonObject report = new JsonObject()
      .put("target", new JsonObject().put("entity_type", "aura_id").put("entity_id", third))
      .put("reporter", new JsonObject().put("entity_type", "aura_id").put("entity_id", owner))
      .put("category", "harassment").put("severity", "low").put("description", "abusive call");
    refused(TrustService.proxy(vertx, TIMEOUT_MILLIS).report(report,
      Caller.service("reports", Set.of("trust:report")).actingAs(other)), 403, "FORBIDDEN", "reporter");
  }

  private static void refused(Future<JsonObject> answer, int status, String code, String field) {
    ServiceException failure = assertInstanceOf(ServiceException.class, Await.failure(answer));
    assertEquals(status, failure.failureCode(), failure.getMessage());
    assertEquals(code, failure.getDebugInfo().getString("code"), failure.getMessage());
    assertEquals(field, failure.getDebugInfo().getJsonObject("details", new JsonObject()).getString("field"),
      failure.getMessage());
  }
}
