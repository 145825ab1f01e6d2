package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Row;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Throws generated and mutated requests at every operation of {@code openapi.yaml} (and at paths and methods it does
 * not have) against a running node: path and query parameters, bodies (random JSON, bodies shaped like the
 * operation's with random values, broken bytes, deep nesting), media types, tokens and headers. Every answer must
 * come in time, never be a 5xx, and, when it is an error, carry the JSON envelope ({@code error.code}; the
 * operations that answer in their callers' own shapes may use Matrix's {@code errcode}). A refused change must leave
 * every table's row count as it was, and the node must still serve afterwards.
 *
 * <p>A jqwik property, one request per try. Bounded for CI by {@code jqwik.tries.default} in
 * {@code junit-platform.properties} (1000 tries, about 20 s); a long run on demand:
 * {@code mvn -B -o test -Dtest=EdgeFuzzTest -Djqwik.tries.default=100000}. jqwik reports the seed of a failing
 * run and tries it first the next time (its database is under {@code target/}).
 */
class EdgeFuzzTest {

  /** Longer than the node's request timeout (set to 5 s below): a request not answered by then hung. */
  private static final long ANSWER_WITHIN_MS = 15_000;
  private static final Set<String> CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");

  private static Node node;
  private static WebClient client;
  private static Tokens tokens;
  private static List<Operation> operations;
  private static String rowCountQuery;
  private static Generators generators;

  /** One operation of the document, as far as the fuzzer needs it. */
  record Operation(String method, String path, List<String> pathParameters, List<String> queryParameters,
                   List<String> bodyProperties, boolean hasBody, boolean ownShapes) {
  }

  @BeforeContainer
  static void startNode() throws IOException {
    Map<String, String> settings = TestNodes.settings("fuzz");
    settings.put("AURALINK_HTTP_REQUEST_TIMEOUT", "5s");
    settings.put("AURALINK_EVENT_BUS_TIMEOUT", "4s");
    // CORS on: the longer handler chain, and preflights among the generated requests.
    settings.put("AURALINK_CORS_ORIGINS", "https://console.auralink.test");
    node = TestNodes.start(settings);
    client = WebClient.create(node.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(Integer.parseInt(settings.get("AURALINK_HTTP_PORT"))).setMaxHeaderSize(64 * 1024));
    tokens = new Tokens(node.vertx());
    operations = operations();
    rowCountQuery = rowCountQuery();
    generators = new Generators(allScopes());
  }

  @AfterContainer
  static void stopNode() {
    if (client != null) {
      client.close();
    }
    TestNodes.stop(node);
  }

  @Provide
  Arbitrary<Request> requests() {
    return Arbitraries.randomValue(random -> generators.request(random, operations));
  }

  @Property(shrinking = net.jqwik.api.ShrinkingMode.OFF)
  void no_request_gets_a_5xx_an_answer_without_the_envelope_or_no_answer_and_refusals_change_nothing(
    @ForAll("requests") Request request) {
    boolean changing = CHANGING.contains(request.method().name());
    List<Long> before = changing ? rowCounts() : null;
    HttpResponse<Buffer> response = send(request);
    check(request, response);
    if (changing && response.statusCode() >= 400) {
      List<Long> after = rowCounts();
      if (!before.equals(after)) {
        fail("a refused " + request + " (" + response.statusCode() + " " + response.bodyAsString() + ") changed row counts "
          + before + " → " + after);
      }
    } else if (changing) {
      // An accepted change may have effects that land later (events, syncs): let them settle, so that they are
      // not taken for the effect of the next refused request.
      settle();
    }
    assertEquals(200, Await.result(client.get("/health/live").send()).statusCode(), "the node still serves");
  }

  private static HttpResponse<Buffer> send(Request request) {
    HttpRequest<Buffer> http = client.request(request.method(), request.uri()).timeout(ANSWER_WITHIN_MS);
    request.headers().forEach(http::putHeader);
    Future<HttpResponse<Buffer>> answer = request.body() == null ? http.send() : http.sendBuffer(request.body());
    try {
      return Await.result(answer, Duration.ofMillis(ANSWER_WITHIN_MS + 5_000));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("no answer in time to " + request, e);
    }
  }

  private static void check(Request request, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String body = response.bodyAsString();
    if (status < 400) {
      return;
    }
    Object json;
    try {
      json = body == null ? null : io.vertx.core.json.Json.decodeValue(body);
    } catch (DecodeException e) {
      json = null;
    }
    JsonObject object = json instanceof JsonObject o ? o : null;
    String code = object != null && object.getValue("error") instanceof JsonObject error
      && error.getValue("code") instanceof String c ? c : null;
    boolean ownShape = request.operation() != null && request.operation().ownShapes() && object != null
      && object.getValue("errcode") instanceof String;
    if (code == null && !ownShape) {
      fail(status + " without the error envelope for " + request + ": " + body);
    }
    // The test node has no LiveKit, SMTP, SMS or identity provider: a 503 naming such a missing dependency is the
    // documented answer. Any other 5xx is a failure.
    boolean missingDependency = status == 503 && (ownShape || (code != null && code.endsWith("_UNAVAILABLE")));
    if (status >= 500 && !missingDependency) {
      fail(status + " for " + request + ": " + body);
    }
  }

  /** Row counts of every table (in a fixed order), in one query. */
  private static List<Long> rowCounts() {
    Row row = Await.result(node.platform().pool().query(rowCountQuery).execute()).iterator().next();
    List<Long> counts = new ArrayList<>();
    for (int i = 0; i < row.size(); i++) {
      counts.add(row.getLong(i));
    }
    return counts;
  }

  private static void settle() {
    List<Long> previous = rowCounts();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < until) {
      sleepBriefly();
      List<Long> now = rowCounts();
      if (now.equals(previous)) {
        return;
      }
      previous = now;
    }
  }

  private static void sleepBriefly() {
    // The test thread, not an event loop: a short pause between two reads of the counts.
    try {
      Thread.sleep(150);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String rowCountQuery() {
    List<String> tables = new ArrayList<>();
    Await.result(node.platform().pool().query("""
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name""").execute())
      .forEach(row -> tables.add(row.getString(0)));
    return "SELECT " + String.join(", ", tables.stream()
      .map(t -> "(SELECT count(*) FROM \"" + t.replace("\"", "\"\"") + "\")").toList());
  }

  @SuppressWarnings("unchecked")
  private static List<Operation> operations() throws IOException {
    Map<String, Object> document;
    try (InputStream yaml = EdgeFuzzTest.class.getClassLoader().getResourceAsStream(ApiVerticle.CONTRACT)) {
      document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    }
    Map<String, Object> schemas = (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("schemas");
    List<Operation> found = new ArrayList<>();
    Pattern template = Pattern.compile("\\{([^}]+)}");
    ((Map<String, Object>) document.get("paths")).forEach((path, item) -> {
      ((Map<String, Object>) item).forEach((method, value) -> {
        if (!(value instanceof Map<?, ?> operation) || method.equals("parameters")) {
          return;
        }
        List<String> pathParameters = new ArrayList<>();
        Matcher names = template.matcher(path);
        while (names.find()) {
          pathParameters.add(names.group(1));
        }
        List<String> query = new ArrayList<>();
        Object declared = operation.get("parameters");
        for (Object parameter : declared instanceof List<?> list ? list : List.of()) {
          Map<String, Object> p = (Map<String, Object>) parameter;
          if ("query".equals(p.get("in"))) {
            query.add(String.valueOf(p.get("name")));
          }
        }
        Map<String, Object> requestBody = (Map<String, Object>) operation.get("requestBody");
        List<String> properties = new ArrayList<>();
        if (requestBody != null) {
          Map<String, Object> content = (Map<String, Object>) requestBody.get("content");
          Map<String, Object> media = content == null ? null : (Map<String, Object>) content.values().iterator().next();
          Object schema = media == null ? null : media.get("schema");
          properties.addAll(propertyNames(schema, schemas));
        }
        found.add(new Operation(method.toUpperCase(), path, pathParameters, query, properties, requestBody != null,
          Boolean.TRUE.equals(operation.get(RequestValidation.RAW_BODY))));
      });
    });
    return found;
  }

  @SuppressWarnings("unchecked")
  private static Set<String> propertyNames(Object schema, Map<String, Object> schemas) {
    Set<String> names = new TreeSet<>();
    if (!(schema instanceof Map<?, ?> map)) {
      return names;
    }
    Object ref = map.get("$ref");
    if (ref instanceof String pointer && pointer.startsWith("#/components/schemas/")) {
      return propertyNames(schemas.get(pointer.substring("#/components/schemas/".length())), schemas);
    }
    if (map.get("properties") instanceof Map<?, ?> properties) {
      properties.keySet().forEach(k -> names.add(String.valueOf(k)));
    }
    for (String combination : List.of("allOf", "oneOf", "anyOf")) {
      if (map.get(combination) instanceof List<?> parts) {
        parts.forEach(part -> names.addAll(propertyNames(part, schemas)));
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static Set<String> allScopes() throws IOException {
    Set<String> scopes = new TreeSet<>();
    Pattern scope = Pattern.compile("serviceToken: \\[([^]]*)]");
    try (InputStream yaml = EdgeFuzzTest.class.getClassLoader().getResourceAsStream(ApiVerticle.CONTRACT)) {
      Matcher found = scope.matcher(new String(yaml.readAllBytes(), StandardCharsets.UTF_8));
      while (found.find()) {
        for (String s : found.group(1).split(",")) {
          String name = s.trim().replace("\"", "");
          if (!name.isEmpty()) {
            scopes.add(name);
          }
        }
      }
    }
    return scopes;
  }

  /** One request to send; {@code operation} is null for a path or method the document does not have. */
  record Request(Operation operation, HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    @Override
    public String toString() {
      String shown = body == null ? "" : body.length() > 300 ? " body " + body.getString(0, 300) + "…" : " body " + body;
      return method.name() + " " + (uri.length() > 300 ? uri.substring(0, 300) + "…" : uri) + " headers "
        + headers.keySet() + shown;
    }
  }

  /** The request generators: jqwik's arbitraries, drawn from one seeded random source. */
  private static final class Generators {

    private Random random;
    private final List<Supplier<String>> tokens = new ArrayList<>();
    private final Arbitrary<String> anyText = Arbitraries.strings().all().ofMaxLength(40);
    private final Arbitrary<String> plausible = Arbitraries.of("@alice.aura", "@fuzzer.aura", "@ALICE.AURA",
      "@a.aura", "@" + "x".repeat(30) + ".aura", "alice", "aura_id", "user", "node-1", "1", "0", "-1",
      "9223372036854775808", "1e309", "NaN", "true", "null", "", " ", "00000000-0000-0000-0000-000000000000",
      "../../etc/passwd", "%00", "\u0000", "a\u0000b", "' OR 1=1 --", "admin\u202etxt", "ali\u200bce", "\uFEFF",
      "\uD800", "x".repeat(5000), "phone", "email", "pending", "accepted", "uphold", "voice", "video",
      "https://example.org/a.png", "+15555550100", "a@example.org", "💩", "\r\nX-Injected: 1");
    private final Arbitrary<Long> numbers = Arbitraries.longs();
    private final Arbitrary<Object> json;

    Generators(Set<String> scopes) {
      this.json = jsonValue(3);
      long now = System.currentTimeMillis() / 1000;
      tokens.add(() -> null);
      tokens.add(() -> "not-a-token");
      tokens.add(() -> EdgeFuzzTest.tokens.hs256(Tokens.service("fuzzer", scopes.toArray(String[]::new))));
      tokens.add(() -> EdgeFuzzTest.tokens.hs256(Tokens.service("fuzzer")));
      tokens.add(() -> EdgeFuzzTest.tokens.hs256(Tokens.user("@fuzzer.aura")));
      tokens.add(() -> EdgeFuzzTest.tokens.hs256(Tokens.user("@alice.aura")));
      tokens.add(() -> EdgeFuzzTest.tokens.hs256(Tokens.service("fuzzer").put("exp", now - 3600)));
      tokens.add(() -> EdgeFuzzTest.tokens.hs256(Tokens.service("fuzzer").put("exp", Long.MAX_VALUE)));
    }

    private <T> T draw(Arbitrary<T> arbitrary) {
      RandomGenerator<T> generator = arbitrary.generator(100);
      return generator.next(random).value();
    }

    private Arbitrary<Object> leaf() {
      return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, plausible.map(s -> (Object) s)),
        net.jqwik.api.Tuple.of(2, anyText.map(s -> (Object) s)),
        net.jqwik.api.Tuple.of(2, numbers.map(n -> (Object) n)),
        net.jqwik.api.Tuple.of(1, Arbitraries.doubles().map(d -> (Object) d)),
        net.jqwik.api.Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just((Object) null)));
    }

    private Arbitrary<Object> jsonValue(int depth) {
      if (depth == 0) {
        return leaf();
      }
      Arbitrary<Object> inner = jsonValue(depth - 1);
      Arbitrary<Object> array = inner.list().ofMaxSize(4).map(items -> (Object) new JsonArray(new ArrayList<>(items)));
      Arbitrary<Object> object = Arbitraries.maps(Arbitraries.oneOf(plausible, anyText), inner).ofMaxSize(4)
        .map(map -> (Object) new JsonObject(new java.util.LinkedHashMap<>(map)));
      return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, leaf()), net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(2, object));
    }

    private String parameterValue() {
      return random.nextInt(3) == 0 ? draw(anyText) : draw(plausible);
    }

    /** One request drawn from {@code random} (jqwik's, one per try); generators are used on jqwik's thread only. */
    Request request(Random random, List<Operation> operations) {
      this.random = random;
      Operation operation = random.nextInt(20) == 0 ? null : operations.get(random.nextInt(operations.size()));
      HttpMethod method;
      String path;
      if (operation == null) {
        method = HttpMethod.valueOf(List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "ZQ7X", "TRACE")
          .get(random.nextInt(8)));
        path = (random.nextBoolean() ? "/internal/" : "/") + encode(parameterValue()) + (random.nextInt(4) == 0 ? "%" : "");
      } else {
        method = random.nextInt(25) == 0 ? HttpMethod.valueOf("PATCH") : HttpMethod.valueOf(operation.method());
        path = operation.path();
        for (String parameter : operation.pathParameters()) {
          path = path.replace("{" + parameter + "}", encode(parameterValue()));
        }
      }
      StringBuilder uri = new StringBuilder(path);
      List<String> query = new ArrayList<>(operation == null ? List.of() : operation.queryParameters());
      if (random.nextInt(4) == 0) {
        query.add(draw(plausible));
      }
      char separator = '?';
      for (String name : query) {
        if (random.nextBoolean()) {
          uri.append(separator).append(encode(name)).append('=').append(encode(parameterValue()));
          separator = '&';
        }
      }
      if (random.nextInt(30) == 0) {
        uri.append(separator).append("%ZZ=%");
      }
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      String token = tokens.get(random.nextInt(tokens.size())).get();
      if (token != null) {
        headers.put("Authorization", "Bearer " + token);
      }
      Buffer body = body(operation);
      if (body != null || random.nextInt(10) == 0) {
        headers.put("Content-Type", random.nextInt(6) > 0 ? "application/json" : draw(Arbitraries.of(
          "application/jsonx", "text/plain", "application/json; charset=utf-16", "", "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x", "application/json, text/plain")));
      }
      if (random.nextInt(8) == 0) {
        headers.put(RequestTracking.HEADER, encode(draw(anyText)));
      }
      if (random.nextInt(6) == 0) {
        headers.put("Origin", random.nextBoolean() ? "https://console.auralink.test" : "https://" + encode(draw(anyText)));
        if (method == HttpMethod.OPTIONS || random.nextInt(4) == 0) {
          headers.put("Access-Control-Request-Method", draw(Arbitraries.of("GET", "POST", "ZQ7X", "")));
        }
      }
      if (random.nextInt(40) == 0) {
        headers.put("X-Padding", "p".repeat(random.nextInt(40_000)));
      }
      return new Request(operation, method, uri.toString(), headers, body);
    }

    private Buffer body(Operation operation) {
      int kind = random.nextInt(10);
      if (kind == 0 || (operation != null && !operation.hasBody() && kind < 6)) {
        return null;
      }
      if (kind == 1) {
        return Buffer.buffer(draw(anyText).getBytes(StandardCharsets.UTF_8));
      }
      if (kind == 2) {
        int depth = 60 + random.nextInt(1000);
        return Buffer.buffer("{\"a\":" + "[".repeat(depth) + "]".repeat(random.nextInt(depth + 1)) + "}");
      }
      if (kind == 3) {
        String whole = new JsonObject().put("a", draw(json)).encode();
        return Buffer.buffer(whole.substring(0, Math.min(whole.length() - 1, 5 + random.nextInt(5))));
      }
      if (kind <= 5 || operation == null || operation.bodyProperties().isEmpty()) {
        return Buffer.buffer(io.vertx.core.json.Json.encode(draw(json)));
      }
      // Shaped like the operation's body: its own property names, random and plausible values.
      JsonObject shaped = new JsonObject();
      for (String property : operation.bodyProperties()) {
        if (random.nextInt(4) > 0) {
          shaped.put(property, random.nextBoolean() ? draw(plausible) : draw(json));
        }
      }
      if (random.nextInt(5) == 0) {
        shaped.put(draw(anyText), draw(json));
      }
      return shaped.toBuffer();
    }

    private static String encode(String text) {
      return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
  }
}
