import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service over HTTP (JWT on) against a bare Vert.x JSON endpoint, measured in the same run on the same machine:
 * cached AuraID resolution (issue 3), route queries and heartbeats (issue 5). Run it with {@code bench/run.sh}: it
 * starts the service (start-dev) and the bare endpoint as separate JVMs, then for each scenario a warm-up and the
 * saturation throughput, closed loop, measured by wrk (a C load generator that leaves the shared cores to the
 * servers); for the resolve path also the latency at 70% of its saturation, wrk's connections paced by a fixed
 * delay between requests so that they offer about 70%.
 *
 * <p>Modes: {@code HttpBench.java bench JAR} (the benchmark), {@code HttpBench.java bare PORT} (the bare
 * endpoint, started by the benchmark).
 */
public class HttpBench {

  static final String SECRET = "bench-secret-bench-secret-bench-secret-0123";
  static final int CONNECTIONS = Integer.getInteger("bench.connections", 64);
  /** Enough connections that a 1 ms step of the per-connection delay moves the offered rate by a few percent. */
  static final int PACED_CONNECTIONS = 200;
  static final Duration WARMUP = Duration.ofSeconds(Long.getLong("bench.warmupSeconds", 30));
  static final Duration MEASURE = Duration.ofSeconds(Long.getLong("bench.seconds", 20));

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("bare")) {
      bare(Integer.parseInt(args[1]));
    } else if (args.length == 2 && args[0].equals("bench")) {
      bench(Path.of(args[1]));
    } else {
      System.err.println("usage: HttpBench.java bench JAR | bare PORT");
      System.exit(2);
    }
  }

  /** The reference: a Vert.x JSON endpoint, one instance per core, answering a profile-sized body. */
  static void bare(int port) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Buffer body = new JsonObject().put("aura_id", "@benchuser.aura").put("username", "benchuser")
      .put("display_name", "Bench User").putNull("avatar_url").put("matrix_user_id", "@benchuser_aura:auralink.network")
      .put("privacy_level", "public").put("verified", false).put("trust_level", "established")
      .put("created_at", "2026-11-22T00:00:00Z").toBuffer();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer()
          .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(body))
          .listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
      .onFailure(e -> {
        e.printStackTrace();
        System.exit(1);
      });
  }

  /** What wrk sends: a GET, or a POST of {@code body} (JSON). */
  record Target(String name, int port, String uri, String authorization, String body) {
    Target(String name, int port, String uri, String authorization) {
      this(name, port, uri, authorization, null);
    }
  }

  record Wrk(double rate, String p50, String p90, String p99) {
  }

  static void bench(Path jar) throws Exception {
    int servicePort = freePort();
    int barePort = freePort();
    Path data = Files.createTempDirectory("auralink-bench-");
    List<Process> processes = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(HttpBench::stop)));

    ProcessBuilder service = new ProcessBuilder("java", "-Xmx1g", "-jar", jar.toString(), "start-dev")
      .redirectErrorStream(true).redirectOutput(data.resolve("service.log").toFile());
    service.environment().putAll(Map.of(
      "AURALINK_DATA_DIR", data.toString(),
      "AURALINK_HTTP_PORT", String.valueOf(servicePort),
      "AURALINK_HTTP_HOST", "127.0.0.1",
      "AURALINK_JWT_SECRET", SECRET,
      "AURALINK_ACCESS_LOG_LEVEL", "WARN",
      "AURALINK_LOG_LEVEL", "WARN",
      "AURALINK_CLUSTER_PORT", String.valueOf(freePort())));
    processes.add(service.start());
    processes.add(new ProcessBuilder("java", "-Xmx512m", "-cp", jar.toString(),
        new File("bench/HttpBench.java").getAbsolutePath(), "bare", String.valueOf(barePort))
      .redirectErrorStream(true).redirectOutput(data.resolve("bare.log").toFile()).start());

    HttpClient http = HttpClient.newHttpClient();
    Vertx vertx = Vertx.vertx();
    try {
      awaitUp(http, servicePort, "/health/ready", Duration.ofMinutes(3), data);
      awaitUp(http, barePort, "/", Duration.ofMinutes(1), data);

      JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
        new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET)));
      JWTOptions claims = new JWTOptions().setIssuer("auralink").setAudience(List.of("auralink-comm"))
        .setExpiresInSeconds(3600);
      String writer = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "bench")
        .put("scope", new JsonArray().add("identity:write")), claims);
      String reader = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "bench")
        .put("scope", new JsonArray().add("identity:read")), claims);
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + servicePort + "/internal/auraid"))
        .header("Authorization", writer).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", "benchuser")
          .put("user_id", "bench-account").put("display_name", "Bench User").encode())).build(),
        HttpResponse.BodyHandlers.ofString());
      if (created.statusCode() != 201) {
        throw new IllegalStateException("could not register the bench AuraID: " + created.body());
      }
      // Mesh nodes belong to registered AuraIDs.
      for (String party : List.of("bench_alice", "bench_bob")) {
        post(http, servicePort, "/internal/auraid", writer, new JsonObject().put("username", party)
          .put("user_id", "bench-" + party));
      }

      String alice = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "@bench_alice.aura"), claims);
      String bob = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "@bench_bob.aura"), claims);
      String router = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "calls")
        .put("scope", new JsonArray().add("mesh:route")), claims);
      String aliceNode = post(http, servicePort, "/internal/mesh/nodes", alice, new JsonObject().put("device_id", "laptop")
        .put("address", "198.51.100.1:5000").put("nat_type", "full_cone")).getString("node_id");
      post(http, servicePort, "/internal/mesh/nodes", bob, new JsonObject().put("device_id", "phone")
        .put("address", "198.51.100.2:5000").put("nat_type", "symmetric"));

      Target bare = new Target("bare Vert.x JSON endpoint", barePort, "/bare", null);
      Target resolve = new Target("cached resolve (JWT, validation, event bus, Redis)", servicePort,
        "/internal/auraid/@benchuser.aura", reader);
      Target route = new Target("route query (JWT, validation, event bus, computed from the local graph)", servicePort,
        "/internal/mesh/routes", router, new JsonObject().put("source_aura_id", "@bench_alice.aura")
          .put("destination_aura_id", "@bench_bob.aura").put("media_type", "audio_video").encode());
      Target reroute = new Target("route query of a live call re-routing (current_path)", servicePort,
        "/internal/mesh/routes", router, new JsonObject().put("source_aura_id", "@bench_alice.aura")
          .put("destination_aura_id", "@bench_bob.aura").put("current_path", new JsonArray().add("central:default"))
          .encode());
      Target heartbeat = new Target("heartbeat (JWT, validation, event bus, buffered)", servicePort,
        "/internal/mesh/nodes/" + aliceNode + "/heartbeat", alice,
        new JsonObject().put("current_connections", 1).put("bandwidth_in_use_mbps", 2.5).encode());
      double bareRate = saturation(bare);
      double resolveRate = saturation(resolve);
      Wrk paced = pacedAt(resolve, resolveRate * 0.7);
      double routeRate = saturation(route);
      double rerouteRate = saturation(reroute);
      double heartbeatRate = saturation(heartbeat);
      System.out.println();
      System.out.printf("machine: %d cores, shared by both servers, Redis and wrk; %d connections; warm-up %ds,"
        + " %ds per measurement%n", Runtime.getRuntime().availableProcessors(), CONNECTIONS, WARMUP.toSeconds(),
        MEASURE.toSeconds());
      System.out.println("| endpoint | saturation req/s | paced req/s (aim: 70%) | p50 | p90 | p99 |");
      System.out.println("|---|---|---|---|---|---|");
      System.out.printf("| %s | %.0f | | | | |%n", bare.name, bareRate);
      System.out.printf("| %s | %.0f | %.0f | %s | %s | %s |%n", resolve.name, resolveRate, paced.rate, paced.p50,
        paced.p90, paced.p99);
      for (Object[] row : new Object[][] {{route, routeRate}, {reroute, rerouteRate}, {heartbeat, heartbeatRate}}) {
        System.out.printf("| %s | %.0f | | | | |%n", ((Target) row[0]).name, (double) row[1]);
      }
      double ratio = resolveRate / bareRate;
      double p99 = millis(paced.p99);
      System.out.printf("%nresolve throughput = %.0f%% of the bare endpoint (target >= 40%%): %s%n", ratio * 100,
        ratio >= 0.40 ? "met" : "NOT met");
      System.out.printf("resolve p99 at %.0f%% of saturation = %.2f ms (target < 10 ms at 70%%): %s%n",
        paced.rate * 100 / resolveRate, p99, p99 < 10 ? "met" : "NOT met");
      System.out.printf("route query throughput = %.0f%% (new call) and %.0f%% (re-routing) of the bare endpoint"
        + " (target >= 50%%): %s%n", routeRate * 100 / bareRate, rerouteRate * 100 / bareRate,
        routeRate >= 0.5 * bareRate ? "met" : "NOT met");
      System.out.printf("heartbeat ingestion = %.0f/s on one node (target >= 20000/s): %s%n", heartbeatRate,
        heartbeatRate >= 20_000 ? "met" : "NOT met");
    } finally {
      vertx.close();
      processes.forEach(HttpBench::stop);
    }
  }

  static JsonObject post(HttpClient http, int port, String uri, String authorization, JsonObject body) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
      .header("Authorization", authorization).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("POST " + uri + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  /**
   * Latency with an offered load near {@code rate}: {@link #PACED_CONNECTIONS} connections each wait a fixed delay
   * after every answer. A first pass measures how long a request adds to that delay; the second subtracts it so
   * that the connections together offer about {@code rate}.
   */
  static Wrk pacedAt(Target target, double rate) throws Exception {
    double interval = PACED_CONNECTIONS * 1000.0 / rate;
    long delay = Math.max(1, Math.round(interval));
    Wrk first = wrk(target, Duration.ofSeconds(10), delay, PACED_CONNECTIONS);
    double perRequest = PACED_CONNECTIONS * 1000.0 / first.rate - delay;
    delay = Math.max(1, Math.round(interval - perRequest));
    System.out.printf("paced: %d connections, %d ms between requests each, aiming at %.0f req/s: %s%n",
      PACED_CONNECTIONS, delay, rate, target.name);
    return wrk(target, MEASURE, delay, PACED_CONNECTIONS);
  }

  static double saturation(Target target) throws Exception {
    System.out.println("warming up: " + target.name);
    wrk(target, WARMUP, 0, CONNECTIONS);
    System.out.println("saturating: " + target.name);
    return wrk(target, MEASURE, 0, CONNECTIONS).rate;
  }

  /** Runs wrk; with {@code delayMillis} > 0 every connection pauses that long between its requests. */
  static Wrk wrk(Target target, Duration duration, long delayMillis, int connections) throws Exception {
    List<String> command = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections,
      "-d" + duration.toSeconds() + "s", "--latency"));
    if (target.authorization != null) {
      command.add("-H");
      command.add("Authorization: " + target.authorization);
    }
    StringBuilder lua = new StringBuilder();
    if (delayMillis > 0) {
      lua.append("function delay() return ").append(delayMillis).append(" end\n");
    }
    if (target.body != null) {
      lua.append("wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n")
        .append("wrk.body = '").append(target.body).append("'\n");
    }
    if (lua.length() > 0) {
      Path script = Files.createTempFile("wrk", ".lua");
      Files.writeString(script, lua.toString());
      command.add("-s");
      command.add(script.toString());
    }
    command.add("http://127.0.0.1:" + target.port + target.uri);
    Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes());
    if (wrk.waitFor() != 0 || output.contains("Non-2xx") || output.contains("Socket errors")) {
      throw new IllegalStateException("wrk failed or saw errors:\n" + output);
    }
    return new Wrk(Double.parseDouble(field(output, "Requests/sec:")), field(output, "50%"), field(output, "90%"),
      field(output, "99%"));
  }

  static String field(String output, String label) {
    return output.lines().map(String::trim).filter(l -> l.startsWith(label))
      .map(l -> l.substring(label.length()).trim()).findFirst()
      .orElseThrow(() -> new IllegalStateException("no " + label + " in wrk's output:\n" + output));
  }

  /** wrk prints latencies as 812.00us, 1.93ms or 2.01s; answers milliseconds. */
  static double millis(String latency) {
    if (latency.endsWith("us")) {
      return Double.parseDouble(latency.substring(0, latency.length() - 2)) / 1000;
    }
    if (latency.endsWith("ms")) {
      return Double.parseDouble(latency.substring(0, latency.length() - 2));
    }
    return Double.parseDouble(latency.substring(0, latency.length() - 1)) * 1000;
  }

  static void awaitUp(HttpClient http, int port, String uri, Duration limit, Path data) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // keep waiting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("port " + port + " did not come up; logs in " + data);
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
