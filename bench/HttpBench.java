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
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service over HTTP (JWT on) against a bare Vert.x JSON endpoint, measured in the same run on the same machine:
 * cached AuraID resolution (issue 3), route queries and heartbeats (issue 5); and the same cached resolution written
 * on the original service's stack, a FastAPI peer ({@code bench/peer/resolve_peer.py}, issue 9). Run it with
 * {@code bench/run.sh}: it starts the service (start-dev) and the bare endpoint as separate JVMs and the peer with a
 * Redis of its own, then for each scenario a warm-up and the saturation throughput, closed loop, measured by wrk (a C
 * load generator that leaves the shared cores to the servers); for the resolve path and the peer also the latency at
 * 70% of their saturation, wrk's connections paced by a fixed delay between requests so that they offer about 70%.
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
  /** Settings for the service under test, e.g. {@code -Dbench.service=AURALINK_EVENT_LOOPS=2,AURALINK_HTTP_INSTANCES=2}. */
  static final Map<String, String> SERVICE_SETTINGS = settings(System.getProperty("bench.service", ""));
  /**
   * What every service under test runs with: the rate limiter on every request as in production (one Redis script
   * on the admitting path: trim, count, add), with a quota no run can spend (and in shadow mode besides), so that
   * nothing measured is refused; plain HTTP, as the bare endpoint it is compared with (start-dev would serve TLS).
   */
  static final Map<String, String> MEASURED_AS_IN_PRODUCTION = Map.of(
    "AURALINK_RATE_LIMIT_SERVICE", "100000/1s shadow",
    "AURALINK_RATE_LIMIT_USER", "100000/1s shadow",
    "AURALINK_DEV_TLS", "false");
  /** JVM options of the service under test, e.g. {@code -Dbench.serviceJvm="-XX:+UseParallelGC -Xmx2g"}. */
  static final List<String> SERVICE_JVM = List.of(System.getProperty("bench.serviceJvm", "-Xmx1g").trim().split("\\s+"));
  /** Debian's Python: it sees the Debian packages the peer runs on (a pyenv {@code python3} on PATH may not). */
  static final String PEER_PYTHON = System.getProperty("bench.peerPython", "/usr/bin/python3");
  /** Where the peer reads profiles from, as {@code resolve_peer.py} declares it. */
  static final String PEER_PROFILE_KEY = "peer:profile:";
  /** A profile the peer holds but must hide from a service caller. */
  static final String PEER_PRIVATE_ID = "@bench_private.aura";

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

    List<String> serviceCommand = new ArrayList<>(List.of("java"));
    serviceCommand.addAll(SERVICE_JVM);
    serviceCommand.addAll(List.of("-jar", jar.toString(), "start-dev"));
    ProcessBuilder service = new ProcessBuilder(serviceCommand)
      .redirectErrorStream(true).redirectOutput(data.resolve("service.log").toFile());
    service.environment().putAll(MEASURED_AS_IN_PRODUCTION);
    service.environment().putAll(Map.of(
      "AURALINK_DATA_DIR", data.toString(),
      "AURALINK_HTTP_PORT", String.valueOf(servicePort),
      "AURALINK_HTTP_HOST", "127.0.0.1",
      "AURALINK_JWT_SECRET", SECRET,
      "AURALINK_ACCESS_LOG_LEVEL", "WARN",
      "AURALINK_LOG_LEVEL", "WARN",
      "AURALINK_CLUSTER_PORT", String.valueOf(freePort()),
      // The user echo row runs without the limiter: the gap between the two echo rows is its cost.
      "AURALINK_RATE_LIMIT_OPERATIONS", "echo.user=off"));
    service.environment().putAll(SERVICE_SETTINGS);
    processes.add(service.start());
    processes.add(new ProcessBuilder("java", "-Xmx512m", "-cp", jar.toString(),
        new File("bench/HttpBench.java").getAbsolutePath(), "bare", String.valueOf(barePort))
      .redirectErrorStream(true).redirectOutput(data.resolve("bare.log").toFile()).start());
    Peer peer = startPeer(data, processes);

    // HTTP/1.1 like wrk: the JDK client's default h2c upgrade header makes Debian's uvicorn answer 400.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Vertx vertx = Vertx.vertx();
    try {
      awaitUp(http, servicePort, "/health/ready", Duration.ofMinutes(3), data);
      awaitUp(http, barePort, "/", Duration.ofMinutes(1), data);
      awaitUp(http, peer.port, "/health/live", Duration.ofMinutes(1), data);

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

      HttpResponse<String> resolved = get(http, servicePort, "/internal/auraid/@benchuser.aura", reader);
      if (resolved.statusCode() != 200) {
        throw new IllegalStateException("the service did not resolve the bench AuraID: " + resolved.body());
      }
      JsonObject profile = new JsonObject(resolved.body());
      seedPeer(vertx, peer, profile);
      checkPeer(vertx, http, peer, jwt, claims, profile);

      Target bare = new Target("bare Vert.x JSON endpoint", barePort, "/bare", null);
      Target echo = new Target("echo (JWT, rate limit, validation, one event-bus request/reply, no storage)", servicePort,
        "/internal/echo", reader, new JsonObject().put("message", "bench").encode());
      String echoUser = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "@bench_echo.aura"), claims);
      Target echoUnlimited = new Target("echo without the rate limiter (a user token, echo.user=off)", servicePort,
        "/internal/echo", echoUser, new JsonObject().put("message", "bench").encode());
      Target resolve = new Target("cached resolve (JWT, validation, event bus, Redis)", servicePort,
        "/internal/auraid/@benchuser.aura", reader);
      Target fastapi = new Target("FastAPI peer: the same cached resolve (uvicorn, PyJWT, redis-py)", peer.port,
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

      // The bare endpoint and the echo first: every other figure is read against them, in the same run.
      double bareRate = saturation(bare);
      double echoRate = saturation(echo);
      double echoUnlimitedRate = saturation(echoUnlimited);
      double resolveRate = saturation(resolve);
      Wrk paced = pacedAt(resolve, resolveRate * 0.7);
      double peerRate = saturation(fastapi);
      Wrk peerPaced = pacedAt(fastapi, peerRate * 0.7);
      double routeRate = saturation(route);
      double rerouteRate = saturation(reroute);
      double heartbeatRate = saturation(heartbeat);
      double callRate = callSetups(vertx, http, servicePort, writer, jwt, claims);
      System.out.println();
      System.out.printf("machine: %d cores, shared by the servers, Redis and wrk; %d connections; warm-up %ds,"
        + " %ds per measurement; service %s%n", Runtime.getRuntime().availableProcessors(), CONNECTIONS,
        WARMUP.toSeconds(), MEASURE.toSeconds(), SERVICE_SETTINGS.isEmpty() ? "with defaults" : SERVICE_SETTINGS);
      System.out.println("| endpoint | saturation req/s | share of bare | share of echo | paced req/s (aim: 70%) | p50 | p90 | p99 |");
      System.out.println("|---|---|---|---|---|---|---|---|");
      row(bare, bareRate, bareRate, echoRate, null);
      row(echo, echoRate, bareRate, echoRate, null);
      row(echoUnlimited, echoUnlimitedRate, bareRate, echoRate, null);
      row(resolve, resolveRate, bareRate, echoRate, paced);
      row(fastapi, peerRate, bareRate, echoRate, peerPaced);
      row(route, routeRate, bareRate, echoRate, null);
      row(reroute, rerouteRate, bareRate, echoRate, null);
      row(heartbeat, heartbeatRate, bareRate, echoRate, null);
      System.out.printf("| call set-up: invite, answer, hang-up (%d callers, each its own pair; 3 requests a call)"
        + " | %.0f calls/s (%.0f req/s) | %.0f%% | %.0f%% | | | | |%n", CALLERS, callRate, 3 * callRate,
        3 * callRate * 100 / bareRate, 3 * callRate * 100 / echoRate);
      double p99 = millis(paced.p99);
      System.out.println();
      System.out.printf("rate limiter: the echo with it is %.0f%% of the echo without it (one Redis round trip "
        + "per request)%n", echoRate * 100 / echoUnlimitedRate);
      System.out.printf("echo = %.0f%% of the bare endpoint (the ceiling of every domain operation; stretch 55%%)%n",
        echoRate * 100 / bareRate);
      System.out.printf("route query = %.0f%% of the echo (re-routing %.0f%%; target >= 80%%): %s%n",
        routeRate * 100 / echoRate, rerouteRate * 100 / echoRate, routeRate >= 0.8 * echoRate ? "met" : "NOT met");
      System.out.printf("cached resolve = %.0f%% of the echo (target >= 75%%): %s%n", resolveRate * 100 / echoRate,
        resolveRate >= 0.75 * echoRate ? "met" : "NOT met");
      System.out.printf("resolve p99 at %.0f%% of saturation = %.2f ms (target < 10 ms at 70%%): %s%n",
        paced.rate * 100 / resolveRate, p99, p99 < 10 ? "met" : "NOT met");
      System.out.printf("heartbeat ingestion = %.0f/s on one node (target >= 20000/s): %s%n", heartbeatRate,
        heartbeatRate >= 20_000 ? "met" : "NOT met");
      double multiple = resolveRate / peerRate;
      System.out.printf("cached resolve = %.1fx the FastAPI peer (%.0f vs %.0f req/s; target >= 3x): %s%n", multiple,
        resolveRate, peerRate, multiple >= 3 ? "met" : "NOT met");
      System.out.printf("p99 at 70%% of saturation: cached resolve %.2f ms, FastAPI peer %.2f ms%n", p99,
        millis(peerPaced.p99));
    } finally {
      vertx.close();
      processes.forEach(HttpBench::stop);
    }
  }

  /** The FastAPI peer and the Redis of its own it reads profiles from. */
  record Peer(int port, int redisPort) {
  }

  /**
   * Starts the FastAPI peer: Debian's redis-server without persistence, then uvicorn with uvloop and httptools, one
   * worker per core, access log off.
   */
  static Peer startPeer(Path data, List<Process> processes) throws Exception {
    Peer peer = new Peer(freePort(), freePort());
    processes.add(new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(peer.redisPort),
        "--save", "", "--appendonly", "no", "--dir", data.toString())
      .redirectErrorStream(true).redirectOutput(data.resolve("peer-redis.log").toFile()).start());
    ProcessBuilder uvicorn = new ProcessBuilder(PEER_PYTHON, "-m", "uvicorn", "resolve_peer:app",
        "--app-dir", new File("bench/peer").getAbsolutePath(), "--host", "127.0.0.1",
        "--port", String.valueOf(peer.port), "--loop", "uvloop", "--http", "httptools",
        "--workers", String.valueOf(Runtime.getRuntime().availableProcessors()), "--no-access-log",
        "--log-level", "warning")
      .redirectErrorStream(true).redirectOutput(data.resolve("peer.log").toFile());
    uvicorn.environment().putAll(Map.of(
      "PEER_JWT_SECRET", SECRET,
      "PEER_REDIS_URL", "redis://127.0.0.1:" + peer.redisPort + "/0"));
    processes.add(uvicorn.start());
    return peer;
  }

  /**
   * Stores, for the peer, the profile the service answered plus the state its privacy check reads, and a private
   * profile it must hide.
   */
  static void seedPeer(Vertx vertx, Peer peer, JsonObject answered) throws Exception {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + peer.redisPort);
    try {
      JsonObject visible = answered.copy().put("status", "active").put("user_id", "bench-account");
      JsonObject hidden = visible.copy().put("aura_id", PEER_PRIVATE_ID).put("username", "bench_private")
        .put("user_id", "bench-private").put("privacy_level", "private");
      for (JsonObject profile : List.of(visible, hidden)) {
        redis.send(Request.cmd(Command.SET).arg(PEER_PROFILE_KEY + profile.getString("aura_id")).arg(profile.encode()))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      redis.close();
    }
  }

  /** One request of the peer's self-check and the status it must get. */
  record PeerCheck(String what, String authorization, String auraId, int status) {
  }

  /**
   * Fails fast unless the peer does the whole check: the service's very answer for a reader; 401 for a missing
   * token, a forged signature, a wrong issuer or audience, no expiry or {@code alg: none}; 403 without the scope;
   * 404 for an unknown and for a private AuraID.
   */
  static void checkPeer(Vertx vertx, HttpClient http, Peer peer, JWTAuth jwt, JWTOptions claims, JsonObject expected)
    throws Exception {
    // Fresh claims for every token: generateToken writes iss, aud, iat and exp into the object it is given.
    Supplier<JsonObject> readerClaims = () -> new JsonObject().put("sub", "bench")
      .put("scope", new JsonArray().add("identity:read"));
    JWTAuth forger = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(
      new PubSecKeyOptions().setAlgorithm("HS256").setBuffer("not-the-bench-secret-not-the-bench-secret-0")));
    JWTOptions noExpiry = new JWTOptions().setIssuer("auralink").setAudience(List.of("auralink-comm"));
    String reader = "Bearer " + jwt.generateToken(readerClaims.get(), claims);
    List<PeerCheck> checks = List.of(
      new PeerCheck("a reader", reader, "@benchuser.aura", 200),
      new PeerCheck("a reader, the AuraID in capitals", reader, "@BenchUser.AURA", 200),
      new PeerCheck("a space-separated scope", "Bearer " + jwt.generateToken(new JsonObject().put("sub", "bench")
        .put("scope", "identity:write identity:read"), claims), "@benchuser.aura", 200),
      new PeerCheck("no token", null, "@benchuser.aura", 401),
      new PeerCheck("a forged signature", "Bearer " + forger.generateToken(readerClaims.get(), claims),
        "@benchuser.aura", 401),
      new PeerCheck("a wrong issuer", "Bearer " + jwt.generateToken(readerClaims.get(), new JWTOptions(claims)
        .setIssuer("someone-else")), "@benchuser.aura", 401),
      new PeerCheck("a wrong audience", "Bearer " + jwt.generateToken(readerClaims.get(), new JWTOptions(claims)
        .setAudience(List.of("someone-else"))), "@benchuser.aura", 401),
      new PeerCheck("no expiry", "Bearer " + jwt.generateToken(readerClaims.get(), noExpiry), "@benchuser.aura", 401),
      new PeerCheck("alg none", "Bearer " + unsignedToken(readerClaims.get().put("iss", "auralink")
        .put("aud", "auralink-comm").put("exp", System.currentTimeMillis() / 1000 + 3600)), "@benchuser.aura", 401),
      new PeerCheck("no identity:read scope", "Bearer " + jwt.generateToken(new JsonObject().put("sub", "bench")
        .put("scope", new JsonArray().add("identity:write")), claims), "@benchuser.aura", 403),
      new PeerCheck("an unknown AuraID", reader, "@nobody_here.aura", 404),
      new PeerCheck("a private AuraID", reader, PEER_PRIVATE_ID, 404));
    List<String> wrong = new ArrayList<>();
    for (PeerCheck check : checks) {
      HttpResponse<String> response = get(http, peer.port, "/internal/auraid/" + check.auraId, check.authorization);
      if (response.statusCode() != check.status) {
        wrong.add(check.what + ": expected " + check.status + ", got " + response.statusCode() + " " + response.body());
      } else if (check.status == 200 && !new JsonObject(response.body()).equals(expected)) {
        wrong.add(check.what + ": expected the service's answer " + expected.encode() + ", got " + response.body());
      }
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("the FastAPI peer answers wrongly:\n  " + String.join("\n  ", wrong));
    }
    System.out.println("FastAPI peer self-check passed (" + checks.size() + " requests)");
  }

  /** A JWT with {@code alg: none} and no signature, which no verifier may accept. */
  static String unsignedToken(JsonObject payload) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    return base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + base64.encodeToString(payload.encode().getBytes(StandardCharsets.UTF_8)) + ".";
  }

  static HttpResponse<String> get(HttpClient http, int port, String uri, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Concurrent callers of the call set-up measurement, each calling its own callee again and again. */
  static final int CALLERS = Integer.getInteger("bench.callers", 32);

  /**
   * Calls set up per second: {@link #CALLERS} callers, each with a callee of its own, run invite → answer → hang-up
   * one call after the other, as a service with {@code calls:write} (no LiveKit: central routes get a named room
   * and no tokens). A warm-up as long as the other scenarios', then a measured interval; answers calls per second.
   */
  static double callSetups(Vertx vertx, HttpClient http, int port, String writer, JWTAuth jwt, JWTOptions claims)
    throws Exception {
    for (int i = 0; i < CALLERS; i++) {
      for (String party : List.of("bench_caller" + i, "bench_callee" + i)) {
        post(http, port, "/internal/auraid", writer, new JsonObject().put("username", party).put("user_id", "bench-" + party));
      }
    }
    String calls = "Bearer " + jwt.generateToken(new JsonObject().put("sub", "bench-calls")
      .put("scope", new JsonArray().add("calls:write")), new JWTOptions(claims));
    io.vertx.ext.web.client.WebClient client = io.vertx.ext.web.client.WebClient.create(vertx,
      new io.vertx.ext.web.client.WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
      new io.vertx.core.http.PoolOptions().setHttp1MaxSize(CALLERS));
    System.out.println("warming up: call set-up");
    runCalls(client, calls, WARMUP);
    System.out.println("measuring: call set-up");
    long done = runCalls(client, calls, MEASURE);
    client.close();
    return done / (double) MEASURE.toSeconds();
  }

  /** Runs every caller's loop for {@code duration}; answers the calls completed. Fails on any unexpected answer. */
  static long runCalls(io.vertx.ext.web.client.WebClient client, String token, Duration duration) throws Exception {
    long deadline = System.nanoTime() + duration.toNanos();
    java.util.concurrent.atomic.AtomicLong completed = new java.util.concurrent.atomic.AtomicLong();
    List<java.util.concurrent.CompletableFuture<Void>> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      java.util.concurrent.CompletableFuture<Void> finished = new java.util.concurrent.CompletableFuture<>();
      callers.add(finished);
      callLoop(client, token, "@bench_caller" + i + ".aura", "@bench_callee" + i + ".aura", deadline, completed,
        finished);
    }
    for (java.util.concurrent.CompletableFuture<Void> caller : callers) {
      caller.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
    }
    return completed.get();
  }

  static void callLoop(io.vertx.ext.web.client.WebClient client, String token, String caller, String callee,
                       long deadline, java.util.concurrent.atomic.AtomicLong completed,
                       java.util.concurrent.CompletableFuture<Void> finished) {
    if (System.nanoTime() >= deadline) {
      finished.complete(null);
      return;
    }
    callStep(client, token, "/internal/calls", new JsonObject().put("caller_aura_id", caller)
      .put("callee_aura_id", callee).put("device_id", "desk").put("media_type", "audio"), 201)
      .compose(call -> {
        String id = call.getString("call_id");
        return callStep(client, token, "/internal/calls/" + id + "/answer",
          new JsonObject().put("aura_id", callee).put("device_id", "phone"), 200)
          .compose(answered -> callStep(client, token, "/internal/calls/" + id + "/hangup",
            new JsonObject().put("reason", "bench"), 200));
      })
      .onSuccess(ended -> {
        completed.incrementAndGet();
        callLoop(client, token, caller, callee, deadline, completed, finished);
      })
      .onFailure(finished::completeExceptionally);
  }

  static Future<JsonObject> callStep(io.vertx.ext.web.client.WebClient client, String token, String uri,
                                     JsonObject body, int expected) {
    return client.post(uri).putHeader("Authorization", token).sendJsonObject(body).compose(response ->
      response.statusCode() == expected ? Future.succeededFuture(response.bodyAsJsonObject())
        : Future.failedFuture(new IllegalStateException("POST " + uri + " answered " + response.statusCode() + ": "
          + response.bodyAsString())));
  }

  static void row(Target target, double rate, double bareRate, double echoRate, Wrk paced) {
    System.out.printf("| %s | %.0f | %.0f%% | %.0f%% | %s | %s | %s | %s |%n", target.name, rate, rate * 100 / bareRate,
      rate * 100 / echoRate, paced == null ? "" : String.format("%.0f", paced.rate), paced == null ? "" : paced.p50,
      paced == null ? "" : paced.p90, paced == null ? "" : paced.p99);
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

  static Map<String, String> settings(String list) {
    Map<String, String> settings = new java.util.TreeMap<>();
    for (String pair : list.split(",")) {
      if (pair.contains("=")) {
        settings.put(pair.substring(0, pair.indexOf('=')).trim(), pair.substring(pair.indexOf('=') + 1).trim());
      }
    }
    return settings;
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
