package io.auralink.comm.testing.cluster;

import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded mixed load over the members in rotation: a fixed number of clients, each sending its next request
 * when the previous one is answered (registrations, reports, node registrations, heartbeats, resolves, route
 * queries), spread round robin over the members. It keeps every acknowledged write (AuraIDs, reports, nodes, route
 * answers) for the read-back, and every failure (no answer, or a 5xx) with its member, code and how long it took.
 * A member taken out of rotation gets no new requests, as a load balancer stops sending to a member it saw fail.
 */
public final class MixedLoad implements AutoCloseable {

  /** A request that was not served: status 0 when nothing answered (refused, reset, timed out). */
  public record Failure(String operation, String member, int status, String code, long atNanos, long waitedNanos) {
  }

  /** A route answer and when it was given. */
  public record RouteAnswer(String routeId, long atNanos) {
  }

  private static final String[] OPERATIONS = {"register", "register", "report", "node", "node", "node",
    "heartbeat", "heartbeat", "heartbeat", "heartbeat", "resolve", "resolve", "resolve", "route", "route", "route",
    "route"};

  private final List<NodeProcess> members;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Vertx vertx = Vertx.vertx();
  private final String registrar;
  private final String reader;
  private final String moderator;
  private final String devices;
  private final String router;
  private final Tokens tokens;
  private final Set<Integer> rotation = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger names = new AtomicInteger();
  private final String prefix = "ld" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));

  private final List<String> seeds = new ArrayList<>();
  private final List<String> auraIds = Collections.synchronizedList(new ArrayList<>());
  private final List<String> nodes = Collections.synchronizedList(new ArrayList<>());
  private final List<String> reports = Collections.synchronizedList(new ArrayList<>());
  private final ConcurrentLinkedQueue<RouteAnswer> routes = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> unexpected = new ConcurrentHashMap<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong lastSuccessNanos = new AtomicLong();
  private volatile boolean running;
  private final List<Thread> clients = new ArrayList<>();

  public MixedLoad(List<NodeProcess> members) {
    this.members = members;
    for (int i = 0; i < members.size(); i++) {
      rotation.add(i);
    }
    tokens = new Tokens(vertx);
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
    reader = tokens.hs256(Tokens.service("directory", "identity:read", "mesh:read"));
    moderator = tokens.hs256(Tokens.service("moderation", "trust:moderate", "trust:read"));
    devices = tokens.hs256(Tokens.service("devices", "mesh:write", "mesh:read"));
    router = tokens.hs256(Tokens.service("calls", "mesh:route"));
  }

  /** Registers {@code count} people with a device each through the first member: the parties of route queries. */
  public MixedLoad seed(int count) {
    for (int i = 0; i < count; i++) {
      Response person = register(0);
      if (person.status != 201) {
        throw new AssertionError("seeding answered " + person.status + " " + person.body);
      }
      String auraId = person.body.getString("aura_id");
      Response device = registerNode(0, auraId);
      if (device.status != 201) {
        throw new AssertionError("seeding a device answered " + device.status + " " + device.body);
      }
      seeds.add(auraId);
      auraIds.add(auraId);
      nodes.add(device.body.getString("node_id"));
    }
    return this;
  }

  public void start(int clientCount) {
    running = true;
    for (int i = 0; i < clientCount; i++) {
      Thread client = new Thread(this::drive, "load-" + i);
      client.setDaemon(true);
      clients.add(client);
      client.start();
    }
  }

  /** Stops sending and waits for the requests in flight. */
  public void stop() {
    running = false;
    for (Thread client : clients) {
      try {
        client.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    clients.clear();
  }

  public void takeOutOfRotation(int member) {
    rotation.remove(member);
  }

  public void putInRotation(int member) {
    rotation.add(member);
  }

  public List<String> auraIds() {
    return List.copyOf(auraIds);
  }

  public List<String> nodes() {
    return List.copyOf(nodes);
  }

  public List<String> reports() {
    return List.copyOf(reports);
  }

  public List<RouteAnswer> routes() {
    return List.copyOf(routes);
  }

  public List<Failure> failures() {
    return List.copyOf(failures);
  }

  public long requests() {
    return requests.get();
  }

  public long acknowledgedWrites() {
    return auraIds.size() + nodes.size() + reports.size();
  }

  /** Answers other than the expected success or refusal, by operation and status (a 404 for a new node, …). */
  public Map<String, Long> unexpected() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    unexpected.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  public long lastSuccessNanos() {
    return lastSuccessNanos.get();
  }

  public String reader() {
    return reader;
  }

  public String moderator() {
    return moderator;
  }

  public String registrar() {
    return registrar;
  }

  private void drive() {
    while (running) {
      List<Integer> inRotation = new ArrayList<>(rotation);
      if (inRotation.isEmpty()) {
        ProcessCluster.pause(50);
        continue;
      }
      Collections.sort(inRotation);
      int member = inRotation.get(Math.floorMod(next.getAndIncrement(), inRotation.size()));
      String operation = OPERATIONS[ThreadLocalRandom.current().nextInt(OPERATIONS.length)];
      long start = System.nanoTime();
      Response response = switch (operation) {
        case "register" -> register(member);
        case "report" -> report(member);
        case "node" -> registerNode(member, any(auraIds));
        case "heartbeat" -> call(member, "POST", "/internal/mesh/nodes/" + any(nodes) + "/heartbeat", devices,
          new JsonObject().put("current_connections", 1));
        case "resolve" -> call(member, "POST", "/internal/auraid/resolve", reader,
          new JsonObject().put("aura_ids", new JsonArray(List.of(any(auraIds), any(auraIds), any(seeds)))));
        default -> route(member);
      };
      requests.incrementAndGet();
      record(operation, member, start, response);
    }
  }

  private void record(String operation, int member, long start, Response response) {
    long now = System.nanoTime();
    if (response.status == 0 || response.status >= 500) {
      failures.add(new Failure(operation, members.get(member).name(), response.status, response.code(), start,
        now - start));
      return;
    }
    lastSuccessNanos.accumulateAndGet(now, Math::max);
    boolean expected = switch (operation) {
      case "register", "node", "report" -> response.status == 201 || response.status == 200
        || response.status == 409 && "report".equals(operation); // one report per reporter and target
      default -> response.status == 200;
    };
    if (!expected) {
      unexpected.computeIfAbsent(operation + " " + response.status + " " + response.code(), k -> new AtomicLong())
        .incrementAndGet();
      return;
    }
    switch (operation) {
      case "register" -> auraIds.add(response.body.getString("aura_id"));
      case "node" -> {
        if (response.status == 201) {
          nodes.add(response.body.getString("node_id"));
        }
      }
      case "report" -> {
        if (response.status == 201) {
          reports.add(response.body.getString("report_id"));
        }
      }
      case "route" -> routes.add(new RouteAnswer(response.body.getString("route_id"), start));
      default -> {
      }
    }
  }

  private Response register(int member) {
    String username = prefix + "_" + names.incrementAndGet();
    return call(member, "POST", "/internal/auraid", registrar, new JsonObject().put("username", username)
      .put("user_id", "acct-" + username).put("privacy_level", "public"));
  }

  private Response registerNode(int member, String owner) {
    return call(member, "POST", "/internal/mesh/nodes", devices, new JsonObject().put("aura_id", owner)
      .put("device_id", "dev-" + names.incrementAndGet()).put("address", "198.51.100.7:4000")
      .put("nat_type", "full_cone").put("region", "eu-west"));
  }

  private Response report(int member) {
    String reporter = any(auraIds);
    String target = any(seeds);
    if (reporter.equals(target)) {
      target = seeds.get((seeds.indexOf(target) + 1) % seeds.size());
    }
    return call(member, "POST", "/internal/trust/reports", tokens.hs256(Tokens.user(reporter)), new JsonObject()
      .put("target", new JsonObject().put("entity_type", "aura_id").put("entity_id", target))
      .put("category", "spam").put("severity", "low").put("description", "load from the fault harness"));
  }

  private Response route(int member) {
    int a = ThreadLocalRandom.current().nextInt(seeds.size());
    int b = (a + 1 + ThreadLocalRandom.current().nextInt(seeds.size() - 1)) % seeds.size();
    return call(member, "POST", "/internal/mesh/routes", router, new JsonObject()
      .put("source_aura_id", seeds.get(a)).put("destination_aura_id", seeds.get(b)).put("media_type", "audio"));
  }

  private static String any(List<String> list) {
    synchronized (list) {
      return list.get(ThreadLocalRandom.current().nextInt(list.size()));
    }
  }

  /** One request; status 0 when nothing answered. */
  public Response call(int member, String method, String path, String token, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + members.get(member).httpPort() + path))
      .timeout(Duration.ofSeconds(15))
      .header("Authorization", "Bearer " + token);
    if (body != null) {
      request.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonObject json = null;
      String text = response.body();
      if (text != null && text.startsWith("{")) {
        json = new JsonObject(text);
      }
      return new Response(response.statusCode(), json);
    } catch (java.io.IOException e) {
      return new Response(0, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(0, null);
    }
  }

  /** A status and the JSON body, if any. */
  public record Response(int status, JsonObject body) {
    public String code() {
      JsonObject error = body == null ? null : body.getJsonObject("error");
      return error == null ? "" : error.getString("code", "");
    }
  }

  @Override
  public void close() {
    stop();
    vertx.close();
  }
}
