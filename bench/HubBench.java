import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Matrix edge and the hub's throughput beside the echo operation, in the same run on the same machine:
 * <ul>
 *   <li>{@code matrix} (issue 13): Application Service transactions of 50 events each, built from the recorded Synapse
 *       traffic ({@code ../shared/peers/as_requests.jsonl}) with event ids and rooms unique per transaction, sent by
 *       wrk as the homeserver does (one connection: a homeserver sends one transaction at a time) and by
 *       {@link HttpBench#CONNECTIONS} connections (several homeservers or members): transactions acknowledged per
 *       second and the acknowledgement p50/p99. The bridge processes the queue meanwhile, as it would.</li>
 *   <li>{@code hub} (issue 14): {@code POST /internal/presence/bulk} of 500 AuraIDs (half with a device) by wrk; and
 *       webhook deliveries per second, end to end: notifications queued over HTTP to a person with
 *       {@link #WEBHOOK_DEVICES} webhook devices, delivered by the service's worker to a local receiver that counts
 *       distinct {@code webhook-id}s, from the first queued to the last delivered.</li>
 * </ul>
 * Compiled with {@link HttpBench} (whose helpers it uses) by {@code bench/run.sh matrix|hub}:
 * {@code HubBench matrix,hub JAR}.
 */
public class HubBench {

  static final String HS_TOKEN = "bench-hs-token-bench-hs-token";
  static final String AS_TOKEN = "bench-as-token-bench-as-token";
  static final int EVENTS_PER_TRANSACTION = 50;
  static final int BULK_SIZE = 500;
  static final int WEBHOOK_DEVICES = Integer.getInteger("bench.webhookDevices", 10);
  /** Notifications queued for the delivery measurement; each reaches every webhook device. */
  static final int WEBHOOK_NOTIFICATIONS = Integer.getInteger("bench.webhookNotifications", 2_000);
  static final int QUEUEING_CONCURRENCY = 32;

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: HubBench matrix|hub|matrix,hub JAR");
      System.exit(2);
    }
    Set<String> scenarios = Set.of(args[0].split(","));
    Path jar = Path.of(args[1]);
    Path data = Files.createTempDirectory("auralink-hub-bench-");
    Vertx vertx = Vertx.vertx();
    List<Process> processes = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(HttpBench::stop)));
    try {
      HttpServer homeserver = fakeHomeserver(vertx);
      int servicePort = HttpBench.freePort();
      int asPort = HttpBench.freePort();
      processes.add(startService(jar, data, servicePort, asPort, homeserver.actualPort()));
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpBench.awaitUp(http, servicePort, "/health/ready", Duration.ofMinutes(3), data);

      JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(HttpBench.SECRET)));
      HttpBench.Target echo = new HttpBench.Target("echo (JWT, validation, one event-bus request/reply, no storage)",
        servicePort, "/internal/echo", token(jwt, "identity:read"), new JsonObject().put("message", "bench").encode());
      double echoRate = HttpBench.saturation(echo);
      List<String> rows = new ArrayList<>();
      rows.add(String.format("| %s | %.0f req/s | 100%% | | |", echo.name(), echoRate));
      if (scenarios.contains("matrix")) {
        rows.addAll(matrix(asPort, echoRate));
      }
      if (scenarios.contains("hub")) {
        rows.addAll(hub(vertx, http, jwt, servicePort, echoRate));
      }
      System.out.println();
      System.out.printf("machine: %d cores, shared by the service, its stores, the load generators and receivers;"
          + " warm-up %ds, %ds per measurement%n", Runtime.getRuntime().availableProcessors(),
        HttpBench.WARMUP.toSeconds(), HttpBench.MEASURE.toSeconds());
      System.out.println("| operation | rate | share of echo (requests) | p50 | p99 |");
      System.out.println("|---|---|---|---|---|");
      rows.forEach(System.out::println);
    } finally {
      vertx.close();
      processes.forEach(HttpBench::stop);
    }
  }

  static String token(JWTAuth jwt, String... scopes) {
    JWTOptions claims = new JWTOptions().setIssuer("auralink").setAudience(List.of("auralink-comm"))
      .setExpiresInSeconds(3600);
    return "Bearer " + jwt.generateToken(new JsonObject().put("sub", "bench")
      .put("scope", new JsonArray(List.of((Object[]) scopes))), claims);
  }

  /** start-dev with the Matrix bridge on (toward the fake homeserver) and the hub polling often. */
  static Process startService(Path jar, Path data, int port, int asPort, int homeserverPort) throws Exception {
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(HttpBench.SERVICE_JVM);
    command.addAll(List.of("-jar", jar.toString(), "start-dev"));
    ProcessBuilder service = new ProcessBuilder(command)
      .redirectErrorStream(true).redirectOutput(data.resolve("service.log").toFile());
    service.environment().putAll(Map.ofEntries(
      Map.entry("AURALINK_DATA_DIR", data.toString()),
      Map.entry("AURALINK_HTTP_PORT", String.valueOf(port)),
      Map.entry("AURALINK_HTTP_HOST", "127.0.0.1"),
      Map.entry("AURALINK_JWT_SECRET", HttpBench.SECRET),
      Map.entry("AURALINK_ACCESS_LOG_LEVEL", "WARN"),
      Map.entry("AURALINK_LOG_LEVEL", "WARN"),
      Map.entry("AURALINK_CLUSTER_PORT", String.valueOf(HttpBench.freePort())),
      Map.entry("AURALINK_MATRIX_HOMESERVER_URL", "http://127.0.0.1:" + homeserverPort),
      Map.entry("AURALINK_MATRIX_AS_TOKEN", AS_TOKEN),
      Map.entry("AURALINK_MATRIX_HS_TOKEN", HS_TOKEN),
      Map.entry("AURALINK_MATRIX_SERVER_NAME", "localhost"),
      Map.entry("AURALINK_MATRIX_AS_HOST", "127.0.0.1"),
      Map.entry("AURALINK_MATRIX_AS_PORT", String.valueOf(asPort))));
    service.environment().putAll(HttpBench.MEASURED_AS_IN_PRODUCTION);
    service.environment().putAll(HttpBench.SERVICE_SETTINGS);
    return service.start();
  }

  /** What the bridge calls on a homeserver (register, join, send, ping, presence), each answered at once. */
  static HttpServer fakeHomeserver(Vertx vertx) throws Exception {
    return vertx.createHttpServer()
      .requestHandler(request -> request.body().onComplete(body -> request.response()
        .putHeader("Content-Type", "application/json").end("{\"event_id\":\"$bench\",\"duration_ms\":1}")))
      .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  // ---- matrix ---------------------------------------------------------------------------------------------

  static List<String> matrix(int asPort, double echoRate) throws Exception {
    String template = transactionTemplate(Path.of("../shared/peers/as_requests.jsonl"));
    System.out.printf("AS transaction: %d events, %d bytes%n", EVENTS_PER_TRANSACTION, template.length());
    List<String> rows = new ArrayList<>();
    for (int connections : List.of(1, HttpBench.CONNECTIONS)) {
      String name = "AS transaction, " + EVENTS_PER_TRANSACTION + " recorded events (" + connections
        + (connections == 1 ? " connection, as a homeserver sends)" : " connections)");
      System.out.println("warming up: " + name);
      wrk(asPort, transactionScript(template, "w" + connections), HttpBench.WARMUP, connections);
      System.out.println("measuring: " + name);
      HttpBench.Wrk measured = wrk(asPort, transactionScript(template, "m" + connections), HttpBench.MEASURE,
        connections);
      rows.add(String.format("| %s | %.0f transactions/s (%.0f events/s) | %.0f%% | %s | %s |", name, measured.rate(),
        measured.rate() * EVENTS_PER_TRANSACTION, measured.rate() * 100 / echoRate, measured.p50(), measured.p99()));
    }
    return rows;
  }

  /**
   * 50 events cycled from the recorded transactions, as one JSON body in which {@code @@N@@} stands for the
   * transaction's number: event ids and room ids are unique per transaction, so every one is stored and its rooms
   * processed in parallel, as distinct calls would be.
   */
  static String transactionTemplate(Path recorded) throws Exception {
    List<JsonObject> events = new ArrayList<>();
    for (String line : Files.readAllLines(recorded)) {
      JsonObject body = new JsonObject(line).getJsonObject("body");
      if (body != null && body.getJsonArray("events") != null) {
        body.getJsonArray("events").forEach(e -> events.add((JsonObject) e));
      }
    }
    if (events.isEmpty()) {
      throw new IllegalStateException("no recorded events in " + recorded);
    }
    JsonArray batch = new JsonArray();
    for (int i = 0; i < EVENTS_PER_TRANSACTION; i++) {
      JsonObject event = events.get(i % events.size()).copy();
      event.put("event_id", "$bench" + i + "-@@N@@").put("room_id", event.getString("room_id") + "@@N@@");
      batch.add(event);
    }
    String json = new JsonObject().put("events", batch).encode();
    if (json.contains("]==]")) {
      throw new IllegalStateException("the recorded events contain the Lua string delimiter");
    }
    return json;
  }

  /** wrk's script: a PUT of the template with a fresh transaction number per request. */
  static String transactionScript(String template, String run) {
    return "wrk.method = \"PUT\"\n"
      + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
      + "wrk.headers[\"Authorization\"] = \"Bearer " + HS_TOKEN + "\"\n"
      + "local template = [==[" + template + "]==]\n"
      + "local counter = 0\n"
      + "request = function()\n"
      + "  counter = counter + 1\n"
      + "  local id = \"" + run + "-\" .. counter\n"
      + "  return wrk.format(nil, \"/_matrix/app/v1/transactions/\" .. id, nil, (string.gsub(template, \"@@N@@\", id)))\n"
      + "end\n";
  }

  static HttpBench.Wrk wrk(int port, String script, Duration duration, int connections) throws Exception {
    Path file = Files.createTempFile("wrk-as", ".lua");
    Files.writeString(file, script);
    Process wrk = new ProcessBuilder("wrk", "-t1", "-c" + connections, "-d" + duration.toSeconds() + "s", "--latency",
      "-s", file.toString(), "http://127.0.0.1:" + port).redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes());
    if (wrk.waitFor() != 0 || output.contains("Non-2xx") || output.contains("Socket errors")) {
      throw new IllegalStateException("wrk failed or saw errors:\n" + output);
    }
    return new HttpBench.Wrk(Double.parseDouble(HttpBench.field(output, "Requests/sec:")),
      HttpBench.field(output, "50%"), HttpBench.field(output, "90%"), HttpBench.field(output, "99%"));
  }

  // ---- hub ------------------------------------------------------------------------------------------------

  static List<String> hub(Vertx vertx, HttpClient http, JWTAuth jwt, int port, double echoRate) throws Exception {
    String registrar = token(jwt, "identity:write");
    String presenceWriter = token(jwt, "presence:write");
    JsonArray ids = new JsonArray();
    for (int i = 0; i < BULK_SIZE; i++) {
      String username = "bench_p" + i;
      HttpBench.post(http, port, "/internal/auraid", registrar, new JsonObject().put("username", username)
        .put("user_id", "bench-" + username));
      String auraId = "@" + username + ".aura";
      ids.add(auraId);
      if (i % 2 == 0) {
        HttpBench.post(http, port, "/internal/presence", presenceWriter, new JsonObject().put("aura_id", auraId)
          .put("device_id", "phone").put("state", i % 4 == 0 ? "online" : "away").put("app_id", "bench"));
      }
    }
    HttpBench.Target bulk = new HttpBench.Target("presence bulk, " + BULK_SIZE + " AuraIDs (half with a device)",
      port, "/internal/presence/bulk", token(jwt, "presence:read"), new JsonObject().put("aura_ids", ids).encode());
    System.out.println("warming up: " + bulk.name());
    HttpBench.wrk(bulk, HttpBench.WARMUP, 0, HttpBench.CONNECTIONS);
    System.out.println("saturating: " + bulk.name());
    HttpBench.Wrk measured = HttpBench.wrk(bulk, HttpBench.MEASURE, 0, HttpBench.CONNECTIONS);
    List<String> rows = new ArrayList<>();
    rows.add(String.format("| %s | %.0f req/s (%.0f AuraIDs/s) | %.0f%% | %s | %s |", bulk.name(), measured.rate(),
      measured.rate() * BULK_SIZE, measured.rate() * 100 / echoRate, measured.p50(), measured.p99()));
    rows.add(webhooks(vertx, http, jwt, port, echoRate));
    return rows;
  }

  /**
   * A person with {@link #WEBHOOK_DEVICES} webhook devices on a local receiver; {@link #WEBHOOK_NOTIFICATIONS}
   * system notifications queued over HTTP ({@link #QUEUEING_CONCURRENCY} at a time); the rate from the first queued
   * to the last distinct {@code webhook-id} received.
   */
  static String webhooks(Vertx vertx, HttpClient http, JWTAuth jwt, int port, double echoRate) throws Exception {
    Set<String> received = ConcurrentHashMap.newKeySet();
    AtomicLong deliveries = new AtomicLong();
    HttpServer receiver = vertx.createHttpServer()
      .requestHandler(request -> request.body().onComplete(body -> {
        String id = request.getHeader("webhook-id");
        if (id != null) {
          received.add(id);
        }
        deliveries.incrementAndGet();
        request.response().setStatusCode(204).end();
      }))
      .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    String writer = token(jwt, "identity:write", "notifications:write");
    HttpBench.post(http, port, "/internal/auraid", writer, new JsonObject().put("username", "bench_hub")
      .put("user_id", "bench-hub"));
    JsonArray devices = new JsonArray();
    for (int i = 0; i < WEBHOOK_DEVICES; i++) {
      devices.add(new JsonObject().put("device_id", "device-" + i).put("channel", new JsonObject()
        .put("type", "webhook").put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook/" + i)));
    }
    HttpBench.post(http, port, "/internal/auraid/@bench_hub.aura/apps", writer, new JsonObject()
      .put("app_id", "bench-app").put("display_name", "Bench").put("devices", devices));

    WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
      new PoolOptions().setHttp1MaxSize(QUEUEING_CONCURRENCY));
    long expected = (long) WEBHOOK_NOTIFICATIONS * WEBHOOK_DEVICES;
    System.out.printf("measuring: webhook deliveries, %d notifications x %d devices%n", WEBHOOK_NOTIFICATIONS,
      WEBHOOK_DEVICES);
    long start = System.nanoTime();
    AtomicLong next = new AtomicLong();
    List<java.util.concurrent.CompletableFuture<Void>> queuers = new ArrayList<>();
    for (int i = 0; i < QUEUEING_CONCURRENCY; i++) {
      java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
      queuers.add(done);
      queue(client, writer, next, done);
    }
    for (java.util.concurrent.CompletableFuture<Void> queuer : queuers) {
      queuer.get(10, TimeUnit.MINUTES);
    }
    double queuedSeconds = (System.nanoTime() - start) / 1e9;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (received.size() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    client.close();
    if (received.size() < expected) {
      throw new IllegalStateException("only " + received.size() + " of " + expected + " webhooks arrived");
    }
    System.out.printf("webhooks: %d queued in %.1f s (%.0f notifications/s over HTTP), %d delivered in %.1f s,"
        + " %d received twice%n", WEBHOOK_NOTIFICATIONS, queuedSeconds, WEBHOOK_NOTIFICATIONS / queuedSeconds,
      expected, seconds, deliveries.get() - received.size());
    return String.format("| webhook deliveries, end to end: %d notifications x %d devices, queued to received |"
        + " %.0f deliveries/s | | | |", WEBHOOK_NOTIFICATIONS, WEBHOOK_DEVICES, expected / seconds);
  }

  /** One queuer: sends the next system notification until all are queued. */
  static void queue(WebClient client, String token, AtomicLong next, java.util.concurrent.CompletableFuture<Void> done) {
    long n = next.getAndIncrement();
    if (n >= WEBHOOK_NOTIFICATIONS) {
      done.complete(null);
      return;
    }
    client.post("/internal/notifications").putHeader("Authorization", token)
      .sendJsonObject(new JsonObject().put("aura_id", "@bench_hub.aura").put("kind", "system")
        .put("data", new JsonObject().put("n", n)))
      .compose(response -> response.statusCode() == 202 ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("queueing answered " + response.statusCode() + ": "
          + response.bodyAsString())))
      .onSuccess(queued -> queue(client, token, next, done))
      .onFailure(done::completeExceptionally);
  }
}
