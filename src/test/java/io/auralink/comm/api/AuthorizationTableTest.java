package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.auralink.comm.api.AuthorizationTableTest.Expect.forbidden;
import static io.auralink.comm.api.AuthorizationTableTest.Expect.forbiddenField;
import static io.auralink.comm.api.AuthorizationTableTest.Expect.noScope;
import static io.auralink.comm.api.AuthorizationTableTest.Expect.notFound;
import static io.auralink.comm.api.AuthorizationTableTest.Expect.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's authorization table, row by row: every HTTP operation called by the four principals issue 17 names (the
 * owner of what it acts on, another person, a service without the operation's scope, a service with it), each
 * answered as the table says. {@link AuthorizationCoverageTest} proves every operation and every README row has a
 * case here.
 */
@Timeout(300)
class AuthorizationTableTest {

  private static final AtomicInteger NAMES = new AtomicInteger();
  /** A scope no operation accepts: a service holding only it is "a service without the scope" everywhere. */
  private static final String UNRELATED_SCOPE = "auralink:unrelated";

  private static Node node;
  private static Http http;
  private static HttpClient streams;
  private static Tokens tokens;
  private static String registrar;
  private static String identityAdmin;
  private static String moderator;
  private static String meshWriter;
  private static String router;
  private static String caller;
  private static String notifier;
  private static String other;

  enum Who { OWNER, OTHER_PERSON, SERVICE_WITHOUT_SCOPE, SERVICE_WITH_SCOPE }

  /** A documented answer: the status, and for refusals the code and the field named in {@code details.field}. */
  record Expect(int status, String code, String field) {
    static Expect status(int status) {
      return new Expect(status, null, null);
    }

    /** 403 FORBIDDEN naming the field the caller may not act for. */
    static Expect forbiddenField(String field) {
      return new Expect(403, "FORBIDDEN", field);
    }

    /** 403 FORBIDDEN without a field: the caller may not call the operation, or may not do this to what it sees. */
    static Expect forbidden() {
      return new Expect(403, "FORBIDDEN", null);
    }

    /** The token lacks every accepted scope: 403 FORBIDDEN listing what would do. */
    static Expect noScope() {
      return new Expect(403, "FORBIDDEN", "*accepted");
    }

    static Expect notFound(String code) {
      return new Expect(404, code, null);
    }

    @Override
    public String toString() {
      return status + (code == null ? "" : " " + code) + (field == null ? "" : " " + field);
    }
  }

  /** What a case works on: its owner (a new person), anyone else it needs, and the ids its setup made. */
  record Subject(String owner, String target, Map<String, String> ids) {
    String id(String name) {
      return assertPresent(ids.get(name), name);
    }
  }

  @FunctionalInterface
  interface Setup {
    void prepare(String owner, String target, Map<String, String> ids);
  }

  @FunctionalInterface
  interface Call {
    Answer send(Subject subject, String token);
  }

  /** A status and a body, from a whole response or from the head of a stream. */
  record Answer(int status, String body) {
    JsonObject error() {
      return new JsonObject(body).getJsonObject("error");
    }
  }

  /**
   * One operation of one README row: {@code row} is the row's first column exactly, {@code operation} the
   * openapi.yaml method and path it calls; {@code scope} the scope the service "with the scope" holds.
   */
  record Case(String row, String operation, String scope, Setup setup, Call call, Expect owner, Expect otherPerson,
              Expect withoutScope, Expect withScope) {
    Expect expected(Who who) {
      return switch (who) {
        case OWNER -> owner;
        case OTHER_PERSON -> otherPerson;
        case SERVICE_WITHOUT_SCOPE -> withoutScope;
        case SERVICE_WITH_SCOPE -> withScope;
      };
    }
  }

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("authz");
    int nowhere = EmbeddedStores.freePort();
    // Providers configured, never reached: authorization is decided before any of them would be asked.
    settings.put("AURALINK_OAUTH_PROVIDERS", "acme");
    settings.put("AURALINK_OAUTH_ACME_AUTHORIZE_URL", "http://127.0.0.1:" + nowhere + "/authorize");
    settings.put("AURALINK_OAUTH_ACME_TOKEN_URL", "http://127.0.0.1:" + nowhere + "/token");
    settings.put("AURALINK_OAUTH_ACME_USERINFO_URL", "http://127.0.0.1:" + nowhere + "/userinfo");
    settings.put("AURALINK_OAUTH_ACME_CLIENT_ID", "auralink");
    settings.put("AURALINK_OAUTH_CALLBACK_URL", "http://127.0.0.1:" + nowhere + "/internal/verifications/oauth/callback");
    settings.put("AURALINK_TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000");
    settings.put("AURALINK_TWILIO_AUTH_TOKEN", "authz-twilio-token");
    settings.put("AURALINK_TWILIO_FROM", "+15005550006");
    settings.put("AURALINK_TWILIO_BASE_URL", "http://127.0.0.1:" + nowhere);
    settings.put("AURALINK_TWILIO_STATUS_CALLBACK_URL", "http://127.0.0.1:" + nowhere + "/internal/verifications/webhooks/twilio");
    settings.put("AURALINK_STRIPE_SECRET_KEY", "sk_test_authz");
    settings.put("AURALINK_STRIPE_WEBHOOK_SECRET", "whsec_authz0123456789abcdefghij0123456789");
    settings.put("AURALINK_STRIPE_BASE_URL", "http://127.0.0.1:" + nowhere);
    settings.put("AURALINK_LIVENESS_URL", "https://liveness.example/check");
    settings.put("AURALINK_LIVENESS_WEBHOOK_SECRET", "authz-liveness-secret-0123456789-abcdefghij");
    // A stand-in LiveKit that creates every room: calls get media, webhooks and Element Call have a key.
    liveKit = io.vertx.core.Vertx.vertx();
    int liveKitPort = EmbeddedStores.freePort();
    Await.result(liveKit.createHttpServer().requestHandler(request -> request.response()
      .putHeader("Content-Type", "application/json").end(new JsonObject().put("name", "room").put("sid", "RM_authz")
        .encode())).listen(liveKitPort, "127.0.0.1"));
    settings.put("AURALINK_LIVEKIT_URL", "ws://127.0.0.1:" + liveKitPort);
    settings.put("AURALINK_LIVEKIT_API_KEY", "authz-livekit-key");
    settings.put("AURALINK_LIVEKIT_API_SECRET", "authz-livekit-secret-0123456789-abcdefghij");
    settings.put("AURALINK_NOTIFICATION_STREAM_HEARTBEAT", "200ms");
    settings.put("AURALINK_ELEMENT_CALL_HOMESERVERS", "localhost=http://127.0.0.1:" + nowhere);
    node = TestNodes.start(settings);
    int port = Integer.parseInt(settings.get("AURALINK_HTTP_PORT"));
    http = new Http(node.vertx(), port);
    // A connection per stream: none is reused after the endless answer it carried was cut.
    streams = node.vertx().createHttpClient(new io.vertx.core.http.HttpClientOptions().setKeepAlive(false));
    streamPort = port;
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    identityAdmin = tokens.hs256(Tokens.service("ops", "identity:admin"));
    moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
    meshWriter = tokens.hs256(Tokens.service("ops", "mesh:write"));
    router = tokens.hs256(Tokens.service("calls", "mesh:route"));
    caller = tokens.hs256(Tokens.service("bridge", "calls:write"));
    notifier = tokens.hs256(Tokens.service("hub", "notifications:write"));
    other = person();
  }

  private static int streamPort;
  private static io.vertx.core.Vertx liveKit;

  @AfterAll
  static void stopNode() {
    if (http != null) {
      http.close();
      Await.result(streams.close());
    }
    TestNodes.stop(node);
    if (liveKit != null) {
      Await.result(liveKit.close());
    }
  }

  @TestFactory
  Stream<DynamicTest> every_row_answers_each_principal_as_documented() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Case c : AuthorizationTableTest.cases()) {
      for (Who who : Who.values()) {
        tests.add(DynamicTest.dynamicTest(c.operation() + " by " + who + " → " + c.expected(who),
          () -> check(c, who)));
      }
    }
    return tests.stream();
  }

  private static void check(Case c, Who who) {
    String owner = person();
    String target = person();
    Map<String, String> ids = new HashMap<>();
    c.setup().prepare(owner, target, ids);
    Subject subject = new Subject(owner, target, ids);
    String token = switch (who) {
      case OWNER -> user(owner);
      case OTHER_PERSON -> user(other);
      case SERVICE_WITHOUT_SCOPE -> tokens.hs256(Tokens.service("stranger", UNRELATED_SCOPE));
      case SERVICE_WITH_SCOPE -> tokens.hs256(c.scope() == null ? Tokens.service("holder", UNRELATED_SCOPE)
        : Tokens.service("holder", c.scope()));
    };
    Answer answer = c.call().send(subject, token);
    Expect expected = c.expected(who);
    String context = c.operation() + " by " + who + ": " + answer.body();
    assertEquals(expected.status(), answer.status(), context);
    if (expected.code() != null) {
      JsonObject error = answer.error();
      assertEquals(expected.code(), error.getString("code"), context);
      JsonObject details = error.getJsonObject("details", new JsonObject());
      if ("*accepted".equals(expected.field())) {
        assertNotNull(details.getValue("accepted"), "a missing scope lists the accepted ones: " + context);
      } else if (expected.field() != null) {
        assertEquals(expected.field(), details.getString("field"), context);
      }
    }
  }

  /** The cases the table is proven by; {@link AuthorizationCoverageTest} reads them too. */
  static List<Case> cases() {
    List<Case> all = new ArrayList<>();
    all.addAll(platformCases());
    all.addAll(identityCases());
    all.addAll(trustCases());
    all.addAll(meshCases());
    all.addAll(callCases());
    all.addAll(verificationCases());
    all.addAll(presenceCases());
    all.addAll(notificationCases());
    all.addAll(openCases());
    return all;
  }

  // ---- the rows -------------------------------------------------------------------------------------------------

  private static final Setup NOTHING = (owner, target, ids) -> { };

  private static List<Case> platformCases() {
    String row = "`GET /internal/whoami`, `POST /internal/echo`";
    return List.of(
      new Case(row, "GET /internal/whoami", null, NOTHING, (s, t) -> get("/internal/whoami", t),
        status(200), status(200), status(200), status(200)),
      new Case(row, "POST /internal/echo", null, NOTHING,
        (s, t) -> post("/internal/echo", t, new JsonObject().put("message", "hi")),
        status(200), status(200), status(200), status(200)),
      new Case("`GET /internal/cluster`, `GET /internal/health`", "GET /internal/cluster", "cluster:read", NOTHING,
        (s, t) -> get("/internal/cluster", t), noScope(), noScope(), noScope(), status(200)),
      new Case("`GET /internal/cluster`, `GET /internal/health`", "GET /internal/health", "cluster:read", NOTHING,
        (s, t) -> get("/internal/health", t), noScope(), noScope(), noScope(), status(200)));
  }

  private static List<Case> identityCases() {
    String register = "`POST /internal/auraid`, `POST /internal/matrix/register`";
    String resolve = "`GET /internal/auraid/{aura_id}[?as=]`, `POST …/resolve {as?}`, `GET /internal/matrix/resolve/{aura_id}`";
    String change = "`PATCH`, `DELETE /internal/auraid/{aura_id}`";
    String contacts = "`POST …/contacts`, `…/contacts/{contact}/accept`, `/decline`, `/block`, `DELETE …/contacts/{contact}`";
    Setup asked = (owner, target, ids) -> ok(post("/internal/auraid/" + target + "/contacts", user(target),
      new JsonObject().put("contact", owner)), 200);
    return List.of(
      new Case(register, "POST /internal/auraid", "identity:write", NOTHING,
        (s, t) -> post("/internal/auraid", t, new JsonObject().put("username", username()).put("user_id", "acct")),
        noScope(), noScope(), noScope(), status(201)),
      new Case(register, "POST /internal/matrix/register", "identity:write", NOTHING, (s, t) -> {
          String name = username();
          return post("/internal/matrix/register", t, new JsonObject().put("aura_id", "@" + name + ".aura")
            .put("username", name).put("user_id", "acct-" + name));
        }, noScope(), noScope(), noScope(), status(201)),
      new Case("`GET /internal/auraid/availability/{username}`", "GET /internal/auraid/availability/{username}",
        "identity:read", NOTHING, (s, t) -> get("/internal/auraid/availability/" + username(), t),
        status(200), status(200), noScope(), status(200)),
      new Case(resolve, "GET /internal/auraid/{aura_id}", "identity:read", NOTHING,
        (s, t) -> get("/internal/auraid/" + s.owner(), t), status(200), status(200), noScope(), status(200)),
      new Case(resolve, "GET /internal/auraid/{aura_id}", "identity:read", NOTHING,
        (s, t) -> get("/internal/auraid/" + s.owner() + "?as=" + s.owner(), t),
        status(200), forbiddenField("as"), noScope(), status(200)),
      new Case(resolve, "POST /internal/auraid/resolve", "identity:read", NOTHING,
        (s, t) -> post("/internal/auraid/resolve", t, new JsonObject().put("aura_ids", new JsonArray().add(s.owner()))),
        status(200), status(200), noScope(), status(200)),
      new Case(resolve, "GET /internal/matrix/resolve/{aura_id}", "identity:read", NOTHING,
        (s, t) -> get("/internal/matrix/resolve/" + s.owner(), t), status(200), status(200), noScope(), status(200)),
      new Case(change, "PATCH /internal/auraid/{aura_id}", "identity:write", NOTHING,
        (s, t) -> send(HttpMethod.PATCH, "/internal/auraid/" + s.owner(), t, new JsonObject().put("display_name", "New")),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(change, "DELETE /internal/auraid/{aura_id}", "identity:write", NOTHING,
        (s, t) -> send(HttpMethod.DELETE, "/internal/auraid/" + s.owner(), t, null),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case("`POST /internal/auraid/{aura_id}/reactivate`", "POST /internal/auraid/{aura_id}/reactivate",
        "identity:admin",
        (owner, target, ids) -> ok(send(HttpMethod.DELETE, "/internal/auraid/" + owner, registrar, null), 200),
        (s, t) -> post("/internal/auraid/" + s.owner() + "/reactivate", t, null),
        noScope(), noScope(), noScope(), status(200)),
      new Case("`GET /internal/auraid/{aura_id}/contacts[?as=]`", "GET /internal/auraid/{aura_id}/contacts",
        "identity:admin", NOTHING, (s, t) -> get("/internal/auraid/" + s.owner() + "/contacts", t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      // identity:read lets a service read contacts only as the owner (`as`); acting for nobody it is refused.
      new Case("`GET /internal/auraid/{aura_id}/contacts[?as=]`", "GET /internal/auraid/{aura_id}/contacts",
        "identity:read", NOTHING, (s, t) -> get("/internal/auraid/" + s.owner() + "/contacts", t),
        status(200), forbiddenField("aura_id"), noScope(), forbiddenField("aura_id")),
      new Case("`GET /internal/auraid/{aura_id}/contacts[?as=]`", "GET /internal/auraid/{aura_id}/contacts",
        "identity:read", NOTHING, (s, t) -> get("/internal/auraid/" + s.owner() + "/contacts?as=" + s.owner(), t),
        status(200), forbiddenField("as"), noScope(), status(200)),
      new Case(contacts, "POST /internal/auraid/{aura_id}/contacts", "identity:write", NOTHING,
        (s, t) -> post("/internal/auraid/" + s.owner() + "/contacts", t, new JsonObject().put("contact", s.target())),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(contacts, "POST /internal/auraid/{aura_id}/contacts/{contact}/accept", "identity:write", asked,
        (s, t) -> post("/internal/auraid/" + s.owner() + "/contacts/" + s.target() + "/accept", t, null),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(contacts, "POST /internal/auraid/{aura_id}/contacts/{contact}/decline", "identity:write", asked,
        (s, t) -> post("/internal/auraid/" + s.owner() + "/contacts/" + s.target() + "/decline", t, null),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(contacts, "POST /internal/auraid/{aura_id}/contacts/{contact}/block", "identity:write", NOTHING,
        (s, t) -> post("/internal/auraid/" + s.owner() + "/contacts/" + s.target() + "/block", t, null),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(contacts, "DELETE /internal/auraid/{aura_id}/contacts/{contact}", "identity:write", asked,
        (s, t) -> send(HttpMethod.DELETE, "/internal/auraid/" + s.owner() + "/contacts/" + s.target(), t, null),
        status(200), forbiddenField("aura_id"), noScope(), status(200)));
  }

  private static List<Case> trustCases() {
    String moderation = "`GET /internal/trust/queue`, `GET …/reports/{report_id}`, `POST …/reports/{report_id}/claim`, "
      + "`/resolve`, `POST /internal/trust/{entity_type}/{entity_id}/suspend`, `/unsuspend`, `GET …/moderation-log`";
    String federation = "`GET /internal/trust/federation`, `GET …/federation/{domain}/check`; `PUT …/federation/{domain}`, "
      + "`POST …/{domain}/block`, `/unblock`";
    Setup reported = (owner, target, ids) -> ids.put("report", ok(post("/internal/trust/reports", user(owner),
      report(target)), 201).getString("report_id"));
    Setup claimed = (owner, target, ids) -> {
      reported.prepare(owner, target, ids);
      ok(post("/internal/trust/reports/" + ids.get("report") + "/claim", tokens.hs256(Tokens.service("holder",
        "trust:moderate")), null), 200);
    };
    Setup suspended = (owner, target, ids) -> ok(post("/internal/trust/aura_id/" + owner + "/suspend", moderator,
      new JsonObject().put("reason", "spam")), 200);
    return List.of(
      new Case("`GET /internal/trust/{entity_type}/{entity_id}`", "GET /internal/trust/{entity_type}/{entity_id}",
        "trust:read", NOTHING, (s, t) -> get("/internal/trust/aura_id/" + s.owner(), t),
        status(200), forbiddenField("entity_id"), noScope(), status(200)),
      new Case("`POST /internal/trust/reports`", "POST /internal/trust/reports", "trust:report", NOTHING,
        (s, t) -> post("/internal/trust/reports", t, report(s.target()).put("reporter",
          new JsonObject().put("entity_type", "aura_id").put("entity_id", s.owner()))),
        status(201), forbiddenField("reporter"), noScope(), status(201)),
      new Case(moderation, "GET /internal/trust/queue", "trust:moderate", NOTHING,
        (s, t) -> get("/internal/trust/queue", t), noScope(), noScope(), noScope(), status(200)),
      new Case(moderation, "GET /internal/trust/reports/{report_id}", "trust:moderate", reported,
        (s, t) -> get("/internal/trust/reports/" + s.id("report"), t), noScope(), noScope(), noScope(), status(200)),
      new Case(moderation, "POST /internal/trust/reports/{report_id}/claim", "trust:moderate", reported,
        (s, t) -> post("/internal/trust/reports/" + s.id("report") + "/claim", t, null),
        noScope(), noScope(), noScope(), status(200)),
      new Case(moderation, "POST /internal/trust/reports/{report_id}/resolve", "trust:moderate", claimed,
        (s, t) -> post("/internal/trust/reports/" + s.id("report") + "/resolve", t,
          new JsonObject().put("decision", "dismiss").put("note", "no evidence")),
        noScope(), noScope(), noScope(), status(200)),
      new Case(moderation, "POST /internal/trust/{entity_type}/{entity_id}/suspend", "trust:moderate", NOTHING,
        (s, t) -> post("/internal/trust/aura_id/" + s.owner() + "/suspend", t, new JsonObject().put("reason", "spam")),
        noScope(), noScope(), noScope(), status(200)),
      new Case(moderation, "POST /internal/trust/{entity_type}/{entity_id}/unsuspend", "trust:moderate", suspended,
        (s, t) -> post("/internal/trust/aura_id/" + s.owner() + "/unsuspend", t, new JsonObject().put("reason", "ok")),
        noScope(), noScope(), noScope(), status(200)),
      new Case(moderation, "GET /internal/trust/{entity_type}/{entity_id}/moderation-log", "trust:moderate", NOTHING,
        (s, t) -> get("/internal/trust/aura_id/" + s.owner() + "/moderation-log", t),
        noScope(), noScope(), noScope(), status(200)),
      new Case(federation, "GET /internal/trust/federation", "trust:read", NOTHING,
        (s, t) -> get("/internal/trust/federation", t), noScope(), noScope(), noScope(), status(200)),
      new Case(federation, "GET /internal/trust/federation/{domain}/check", "trust:read", NOTHING,
        (s, t) -> get("/internal/trust/federation/matrix.example/check", t), noScope(), noScope(), noScope(), status(200)),
      new Case(federation, "PUT /internal/trust/federation/{domain}", "trust:admin", NOTHING,
        (s, t) -> send(HttpMethod.PUT, "/internal/trust/federation/" + domain(), t,
          new JsonObject().put("requests_per_minute", 60)), noScope(), noScope(), noScope(), status(200)),
      new Case(federation, "POST /internal/trust/federation/{domain}/block", "trust:admin", NOTHING,
        (s, t) -> post("/internal/trust/federation/" + domain() + "/block", t, new JsonObject().put("reason", "spam")),
        noScope(), noScope(), noScope(), status(200)),
      new Case(federation, "POST /internal/trust/federation/{domain}/unblock", "trust:admin",
        (owner, target, ids) -> {
          ids.put("domain", domain());
          ok(post("/internal/trust/federation/" + ids.get("domain") + "/block", tokens.hs256(Tokens.service("ops",
            "trust:admin")), new JsonObject().put("reason", "spam")), 200);
        },
        (s, t) -> post("/internal/trust/federation/" + s.id("domain") + "/unblock", t, null),
        noScope(), noScope(), noScope(), status(200)));
  }

  private static List<Case> meshCases() {
    String register = "`POST /internal/mesh/nodes`, `POST /internal/mesh/register_node`";
    String one = "`GET`, `PATCH`, `DELETE /internal/mesh/nodes/{node_id}`";
    String reports = "`POST …/nodes/{node_id}/heartbeat`, `…/links`";
    String routes = "`POST /internal/mesh/routes` (and the original's `route/query`, `routing/query`)";
    Setup withNode = (owner, target, ids) -> ids.put("node", node(owner, "peer"));
    Setup withTwoNodes = (owner, target, ids) -> {
      ids.put("node", node(owner, "peer"));
      ids.put("peer", node(target, "peer"));
    };
    Setup withRelay = (owner, target, ids) -> ids.put("node", node(owner, "relay"));
    Setup withRoute = (owner, target, ids) -> {
      node(owner, "peer");
      node(target, "peer");
      ids.put("route", ok(post("/internal/mesh/routes", router, route(owner, target)), 200).getString("route_id"));
    };
    List<Case> cases = new ArrayList<>(List.of(
      new Case(register, "POST /internal/mesh/nodes", "mesh:write", NOTHING,
        (s, t) -> post("/internal/mesh/nodes", t, new JsonObject().put("device_id", "phone")
          .put("address", "203.0.113.7:4000").put("aura_id", s.owner())),
        status(201), forbiddenField("aura_id"), noScope(), status(201)),
      new Case(register, "POST /internal/mesh/register_node", "mesh:write", NOTHING,
        (s, t) -> post("/internal/mesh/register_node", t, new JsonObject().put("node_address", "203.0.113.8:4000")
          .put("aura_id", s.owner())),
        status(201), forbiddenField("aura_id"), noScope(), status(201)),
      new Case("`GET /internal/mesh/nodes?aura_id=`", "GET /internal/mesh/nodes", "mesh:read", withNode,
        (s, t) -> get("/internal/mesh/nodes?aura_id=" + s.owner(), t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(one, "GET /internal/mesh/nodes/{node_id}", "mesh:read", withNode,
        (s, t) -> get("/internal/mesh/nodes/" + s.id("node"), t),
        status(200), notFound("NODE_NOT_FOUND"), noScope(), status(200)),
      new Case(one, "PATCH /internal/mesh/nodes/{node_id}", "mesh:write", withNode,
        (s, t) -> send(HttpMethod.PATCH, "/internal/mesh/nodes/" + s.id("node"), t, new JsonObject().put("region", "eu")),
        status(200), notFound("NODE_NOT_FOUND"), noScope(), status(200)),
      new Case(one, "DELETE /internal/mesh/nodes/{node_id}", "mesh:write", withNode,
        (s, t) -> send(HttpMethod.DELETE, "/internal/mesh/nodes/" + s.id("node"), t, null),
        status(200), notFound("NODE_NOT_FOUND"), noScope(), status(200)),
      new Case(reports, "POST /internal/mesh/nodes/{node_id}/heartbeat", "mesh:write", withNode,
        (s, t) -> post("/internal/mesh/nodes/" + s.id("node") + "/heartbeat", t, new JsonObject()),
        status(200), notFound("NODE_NOT_FOUND"), noScope(), status(200)),
      new Case(reports, "POST /internal/mesh/nodes/{node_id}/links", "mesh:write", withTwoNodes,
        (s, t) -> post("/internal/mesh/nodes/" + s.id("node") + "/links", t, new JsonObject().put("links",
          new JsonArray().add(new JsonObject().put("to", s.id("peer")).put("rtt_ms", 20)))),
        status(200), notFound("NODE_NOT_FOUND"), noScope(), status(200)),
      new Case("`POST /internal/mesh/routes/{route_id}/outcome`", "POST /internal/mesh/routes/{route_id}/outcome",
        "mesh:route", withRoute,
        (s, t) -> post("/internal/mesh/routes/" + s.id("route") + "/outcome", t, new JsonObject().put("rtt_ms", 40)),
        noScope(), noScope(), noScope(), status(200)),
      new Case("`PUT /internal/mesh/nodes/{node_id}/trust`", "PUT /internal/mesh/nodes/{node_id}/trust", "mesh:admin",
        withRelay, (s, t) -> send(HttpMethod.PUT, "/internal/mesh/nodes/" + s.id("node") + "/trust", t,
          new JsonObject().put("trust", 0.9).put("reason", "our relay")),
        noScope(), noScope(), noScope(), status(200)),
      new Case("`GET /internal/mesh/graph/stats`", "GET /internal/mesh/graph/stats", "mesh:read", NOTHING,
        (s, t) -> get("/internal/mesh/graph/stats", t), noScope(), noScope(), noScope(), status(200))));
    for (String path : List.of("/internal/mesh/routes", "/internal/mesh/route/query", "/internal/routing/query")) {
      cases.add(new Case(routes, "POST " + path, "mesh:route", withTwoNodes,
        (s, t) -> post(path, t, route(s.owner(), s.target())), noScope(), noScope(), noScope(), status(200)));
    }
    return cases;
  }

  private static List<Case> callCases() {
    // The owner of a call case is the participant the row names: the caller, or the callee.
    Setup calledByOwner = (owner, target, ids) -> ids.put("call", call(owner, target));
    Setup calledOwner = (owner, target, ids) -> ids.put("call", call(target, owner));
    Setup answered = (owner, target, ids) -> {
      String id = call(owner, target);
      ok(post("/internal/calls/" + id + "/answer", user(target), new JsonObject().put("device_id", "desk")), 200);
      ids.put("call", id);
    };
    return List.of(
      new Case("`POST /internal/calls`", "POST /internal/calls", "calls:write", NOTHING,
        (s, t) -> post("/internal/calls", t, new JsonObject().put("callee_aura_id", s.target()).put("device_id", "phone")
          .put("caller_aura_id", s.owner())),
        status(201), forbiddenField("caller_aura_id"), noScope(), status(201)),
      new Case("`POST /internal/calls/{call_id}/answer`, `/decline`", "POST /internal/calls/{call_id}/answer",
        "calls:write", calledOwner, (s, t) -> post("/internal/calls/" + s.id("call") + "/answer", t,
          new JsonObject().put("device_id", "desk").put("aura_id", s.owner())),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`POST /internal/calls/{call_id}/answer`, `/decline`", "POST /internal/calls/{call_id}/decline",
        "calls:write", calledOwner, (s, t) -> post("/internal/calls/" + s.id("call") + "/decline", t, new JsonObject()),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`POST /internal/calls/{call_id}/cancel`", "POST /internal/calls/{call_id}/cancel", "calls:write",
        calledByOwner, (s, t) -> post("/internal/calls/" + s.id("call") + "/cancel", t, new JsonObject()),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`POST /internal/calls/{call_id}/hangup`", "POST /internal/calls/{call_id}/hangup", "calls:write",
        answered, (s, t) -> post("/internal/calls/" + s.id("call") + "/hangup", t, new JsonObject()),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`POST /internal/calls/{call_id}/terminate`", "POST /internal/calls/{call_id}/terminate", "calls:write",
        answered, (s, t) -> post("/internal/calls/" + s.id("call") + "/terminate", t,
          new JsonObject().put("reason", "abuse")),
        noScope(), noScope(), noScope(), status(200)),
      new Case("`GET /internal/calls/{call_id}`, `GET …/{call_id}/ring`", "GET /internal/calls/{call_id}", "calls:read",
        calledByOwner, (s, t) -> get("/internal/calls/" + s.id("call"), t),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`GET /internal/calls/{call_id}`, `GET …/{call_id}/ring`", "GET /internal/calls/{call_id}/ring",
        "calls:read", calledByOwner, (s, t) -> get("/internal/calls/" + s.id("call") + "/ring", t),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      // Another person names the owner in `aura_id`: not a party, they do not see the call at all.
      new Case("`POST /internal/calls/{call_id}/join`, `…/leave`", "POST /internal/calls/{call_id}/join", "calls:write",
        calledOwner, (s, t) -> post("/internal/calls/" + s.id("call") + "/join", t,
          new JsonObject().put("device_id", "desk").put("aura_id", s.owner())),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`POST /internal/calls/{call_id}/join`, `…/leave`", "POST /internal/calls/{call_id}/leave", "calls:write",
        answered, (s, t) -> post("/internal/calls/" + s.id("call") + "/leave", t,
          new JsonObject().put("aura_id", s.owner())),
        status(200), notFound("CALL_NOT_FOUND"), noScope(), status(200)),
      new Case("`GET /internal/calls?aura_id=`", "GET /internal/calls", "calls:read", calledByOwner,
        (s, t) -> get("/internal/calls?aura_id=" + s.owner(), t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)));
  }

  private static List<Case> verificationCases() {
    String change = "`POST /internal/verifications`, `POST …/{verification_id}/complete`, `DELETE …/{verification_id}`";
    Setup started = (owner, target, ids) -> ids.put("verification", ok(post("/internal/verifications", user(owner),
      social(owner)), 201).getString("id"));
    return List.of(
      new Case(change, "POST /internal/verifications", "verification:write", NOTHING,
        (s, t) -> post("/internal/verifications", t, social(s.owner())),
        status(201), forbiddenField("aura_id"), noScope(), status(201)),
      // A social check completes at the provider's callback, never with a code: the owner (and a writer) get as far
      // as that refusal, anyone else is refused before it.
      new Case(change, "POST /internal/verifications/{verification_id}/complete", "verification:write", started,
        (s, t) -> post("/internal/verifications/" + s.id("verification") + "/complete", t,
          new JsonObject().put("code", "123456")),
        status(409), forbiddenField("verification_id"), noScope(), status(409)),
      new Case(change, "DELETE /internal/verifications/{verification_id}", "verification:write", started,
        (s, t) -> send(HttpMethod.DELETE, "/internal/verifications/" + s.id("verification"), t, null),
        status(200), forbiddenField("verification_id"), noScope(), status(200)),
      new Case("`GET /internal/verifications?aura_id=`", "GET /internal/verifications", "verification:read", started,
        (s, t) -> get("/internal/verifications?aura_id=" + s.owner(), t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)));
  }

  private static List<Case> presenceCases() {
    String write = "`POST /internal/presence`, `…/presence/update`, `PUT …/presence/{aura_id}/visibility`";
    String read = "`GET /internal/presence/{aura_id}`, `POST`, `GET …/bulk`";
    List<Case> cases = new ArrayList<>();
    for (String path : List.of("/internal/presence", "/internal/presence/update")) {
      cases.add(new Case(write, "POST " + path, "presence:write", NOTHING,
        (s, t) -> post(path, t, new JsonObject().put("aura_id", s.owner()).put("device_id", "phone").put("state", "online")),
        status(200), forbiddenField("aura_id"), noScope(), status(200)));
    }
    cases.add(new Case(write, "PUT /internal/presence/{aura_id}/visibility", "presence:write", NOTHING,
      (s, t) -> send(HttpMethod.PUT, "/internal/presence/" + s.owner() + "/visibility", t,
        new JsonObject().put("visible_to", "contacts")),
      status(200), forbiddenField("aura_id"), noScope(), status(200)));
    cases.add(new Case("`GET /internal/presence/{aura_id}/visibility`", "GET /internal/presence/{aura_id}/visibility",
      "presence:read", NOTHING, (s, t) -> get("/internal/presence/" + s.owner() + "/visibility", t),
      status(200), forbiddenField("aura_id"), noScope(), status(200)));
    cases.add(new Case(read, "GET /internal/presence/{aura_id}", "presence:read", NOTHING,
      (s, t) -> get("/internal/presence/" + s.owner(), t), status(200), status(200), noScope(), status(200)));
    cases.add(new Case(read, "POST /internal/presence/bulk", "presence:read", NOTHING,
      (s, t) -> post("/internal/presence/bulk", t, new JsonObject().put("aura_ids", new JsonArray().add(s.owner()))),
      status(200), status(200), noScope(), status(200)));
    cases.add(new Case(read, "GET /internal/presence/bulk", "presence:read", NOTHING,
      (s, t) -> get("/internal/presence/bulk?aura_ids=" + s.owner(), t), status(200), status(200), noScope(), status(200)));
    return cases;
  }

  private static List<Case> notificationCases() {
    String own = "`…/auraid/{aura_id}/apps…`, `…/notification-preferences`, `GET /internal/notifications`";
    Setup withApp = (owner, target, ids) -> app(owner);
    Setup delivered = (owner, target, ids) -> {
      app(owner);
      ok(post("/internal/notifications", notifier, new JsonObject().put("aura_id", owner).put("kind", "system")
        .put("data", new JsonObject().put("text", "hello"))), 202);
      JsonArray listed = new JsonArray();
      Await.until(java.time.Duration.ofSeconds(10), "the delivery is listed", () -> {
        listed.clear();
        listed.addAll(ok(get("/internal/notifications?aura_id=" + owner, user(owner)), 200)
          .getJsonArray("notifications"));
        return !listed.isEmpty();
      });
      ids.put("notification", listed.getJsonObject(0).getString("notification_id"));
    };
    return List.of(
      new Case(own, "POST /internal/auraid/{aura_id}/apps", "notifications:write", NOTHING,
        (s, t) -> post("/internal/auraid/" + s.owner() + "/apps", t, appBody()),
        status(201), forbiddenField("aura_id"), noScope(), status(201)),
      new Case(own, "GET /internal/auraid/{aura_id}/apps", "notifications:read", withApp,
        (s, t) -> get("/internal/auraid/" + s.owner() + "/apps", t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(own, "PATCH /internal/auraid/{aura_id}/apps/{app_id}", "notifications:write", withApp,
        (s, t) -> send(HttpMethod.PATCH, "/internal/auraid/" + s.owner() + "/apps/desk", t,
          new JsonObject().put("display_name", "Desk 2")),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(own, "DELETE /internal/auraid/{aura_id}/apps/{app_id}", "notifications:write", withApp,
        (s, t) -> send(HttpMethod.DELETE, "/internal/auraid/" + s.owner() + "/apps/desk", t, null),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(own, "GET /internal/auraid/{aura_id}/notification-preferences", "notifications:read", NOTHING,
        (s, t) -> get("/internal/auraid/" + s.owner() + "/notification-preferences", t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(own, "PUT /internal/auraid/{aura_id}/notification-preferences", "notifications:write", NOTHING,
        (s, t) -> send(HttpMethod.PUT, "/internal/auraid/" + s.owner() + "/notification-preferences", t,
          new JsonObject().put("ring", "all")),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case(own, "GET /internal/notifications", "notifications:read", NOTHING,
        (s, t) -> get("/internal/notifications?aura_id=" + s.owner(), t),
        status(200), forbiddenField("aura_id"), noScope(), status(200)),
      new Case("`POST /internal/notifications`", "POST /internal/notifications", "notifications:write", NOTHING,
        (s, t) -> post("/internal/notifications", t, new JsonObject().put("aura_id", s.owner()).put("kind", "system")),
        noScope(), noScope(), noScope(), status(202)),
      // A service reads a stream only acting as the person (`as`); the others name the owner the same way.
      new Case("`GET /internal/notifications/stream`", "GET /internal/notifications/stream", "notifications:read",
        withApp, (s, t) -> streamHead("/internal/notifications/stream?as=" + s.owner(), t),
        status(200), forbiddenField("as"), noScope(), status(200)),
      new Case("`POST /internal/notifications/{notification_id}/ack`",
        "POST /internal/notifications/{notification_id}/ack", "notifications:write", delivered,
        (s, t) -> post("/internal/notifications/" + s.id("notification") + "/ack", t, null),
        status(200), notFound("NOTIFICATION_NOT_FOUND"), noScope(), forbidden()));
  }

  /** Open operations authenticate by what they carry: without it every principal's bearer token is worth nothing. */
  private static List<Case> openCases() {
    List<Case> cases = new ArrayList<>();
    Map<String, String> webhooks = Map.of(
      "/internal/verifications/webhooks/twilio", "`POST /internal/verifications/webhooks/twilio`",
      "/internal/verifications/webhooks/stripe", "`POST /internal/verifications/webhooks/stripe`",
      "/internal/verifications/webhooks/liveness", "`POST /internal/verifications/webhooks/liveness`",
      "/livekit/webhook", "`POST /livekit/webhook`");
    webhooks.forEach((path, row) -> cases.add(new Case(row, "POST " + path, null, NOTHING,
      (s, t) -> post(path, t, new JsonObject().put("nonce", "n").put("result", "pass").put("event", "room_finished")),
      status(401), status(401), status(401), status(401))));
    cases.add(new Case("`GET /internal/verifications/oauth/callback`", "GET /internal/verifications/oauth/callback",
      null, NOTHING, (s, t) -> get("/internal/verifications/oauth/callback?state=forged&code=x", t),
      notFound("VERIFICATION_NOT_FOUND"), notFound("VERIFICATION_NOT_FOUND"), notFound("VERIFICATION_NOT_FOUND"),
      notFound("VERIFICATION_NOT_FOUND")));
    String elementCall = "`POST /sfu/get`, `POST /get_token`";
    JsonObject openId = new JsonObject().put("access_token", "forged").put("token_type", "Bearer")
      .put("matrix_server_name", "evil.example").put("expires_in", 3600);
    cases.add(new Case(elementCall, "POST /sfu/get", null, NOTHING, (s, t) -> post("/sfu/get", t, new JsonObject()
        .put("room", "!room:localhost").put("openid_token", openId).put("device_id", "D")),
      status(401), status(401), status(401), status(401)));
    cases.add(new Case(elementCall, "POST /get_token", null, NOTHING, (s, t) -> post("/get_token", t, new JsonObject()
        .put("room_id", "!room:localhost").put("slot_id", "m.call#ROOM").put("openid_token", openId)
        .put("member", new JsonObject().put("id", "m").put("claimed_user_id", "@x:evil.example")
          .put("claimed_device_id", "D"))),
      status(401), status(401), status(401), status(401)));
    String health = "`GET /health/live`, `/ready`, `GET /health`, `GET /metrics`";
    for (String path : List.of("/health/live", "/health/ready", "/health", "/metrics")) {
      cases.add(new Case(health, "GET " + path, null, NOTHING, (s, t) -> get(path, t),
        status(200), status(200), status(200), status(200)));
    }
    return cases;
  }

  // ---- fixtures -------------------------------------------------------------------------------------------------

  private static String username() {
    return "authz" + NAMES.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100000, 36);
  }

  private static String domain() {
    return "fed" + NAMES.incrementAndGet() + ".example";
  }

  static String person() {
    return http.register(registrar, username());
  }

  static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static String node(String owner, String type) {
    return ok(post("/internal/mesh/nodes", meshWriter, new JsonObject().put("aura_id", owner)
      .put("device_id", "dev" + NAMES.incrementAndGet()).put("address", "198.51.100." + (NAMES.get() % 250 + 1) + ":5000")
      .put("node_type", type)), 201).getString("node_id");
  }

  private static JsonObject route(String source, String destination) {
    return new JsonObject().put("source_aura_id", source).put("destination_aura_id", destination);
  }

  private static String call(String from, String to) {
    return ok(post("/internal/calls", user(from), new JsonObject().put("callee_aura_id", to).put("device_id", "phone")),
      201).getString("call_id");
  }

  private static JsonObject report(String target) {
    return new JsonObject().put("target", new JsonObject().put("entity_type", "aura_id").put("entity_id", target))
      .put("category", "harassment").put("severity", "medium").put("description", "abusive call");
  }

  private static JsonObject social(String auraId) {
    return new JsonObject().put("aura_id", auraId).put("method", "social").put("destination", "acme");
  }

  private static JsonObject appBody() {
    return new JsonObject().put("app_id", "desk").put("display_name", "Desk").put("devices", new JsonArray()
      .add(new JsonObject().put("device_id", "browser").put("channel", new JsonObject().put("type", "stream"))));
  }

  private static void app(String owner) {
    ok(post("/internal/auraid/" + owner + "/apps", user(owner), appBody()), 201);
  }

  // ---- requests -------------------------------------------------------------------------------------------------

  private static Answer get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  private static Answer post(String path, String token, JsonObject body) {
    return send(HttpMethod.POST, path, token, body);
  }

  private static Answer send(HttpMethod method, String path, String token, JsonObject body) {
    HttpResponse<Buffer> response = http.send(method, path, token, body == null ? null : body.toBuffer());
    return new Answer(response.statusCode(), response.bodyAsString() == null ? "" : response.bodyAsString());
  }

  /** The status of a Server-Sent Events stream (its body, if it is an error); the stream is closed at once. */
  private static Answer streamHead(String path, String token) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(streamPort)
      .setURI(path).putHeader("Authorization", "Bearer " + token).putHeader("Accept", "text/event-stream");
    // The body is read on the event loop as the answer comes: read later, from this thread, it would be gone.
    return Await.result(streams.request(options).compose(request -> request.send()).compose(response -> {
      if (response.statusCode() == 200) {
        // Reset, not a graceful close: a close waits for the endless stream to end.
        response.request().reset();
        return io.vertx.core.Future.succeededFuture(new Answer(200, ""));
      }
      return response.body().map(body -> new Answer(response.statusCode(), body.toString()));
    }));
  }

  private static JsonObject ok(Answer answer, int status) {
    assertEquals(status, answer.status(), answer.body());
    return answer.body().isEmpty() ? new JsonObject() : new JsonObject(answer.body());
  }

  private static <T> T assertPresent(T value, String what) {
    assertNotNull(value, what);
    return value;
  }

  @Test
  void every_case_names_its_principals_answers() {
    for (Case c : cases()) {
      for (Who who : Who.values()) {
        assertNotNull(c.expected(who), c.operation() + " " + who);
      }
      assertTrue(c.row().startsWith("`"), c.row());
    }
  }
}
