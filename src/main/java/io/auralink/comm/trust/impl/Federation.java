package io.auralink.comm.trust.impl;

import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Page;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.trust.TrustError;
import io.auralink.comm.trust.TrustService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * The registry of federated homeservers: the operator's decision (allowed or blocked) and request limit for each,
 * their trust (entity {@code federated_server}), and the check other domains make before accepting a call from a
 * federated user. Blocks and unblocks go to the moderation log.
 */
final class Federation {

  private final TrustStore store;
  private final FederationLimits limits;
  private final AppConfig.Trust config;

  Federation(TrustStore store, FederationLimits limits, AppConfig.Trust config) {
    this.store = store;
    this.limits = limits;
    this.config = config;
  }

  Future<JsonObject> servers(JsonObject page, Caller caller) {
    if (!caller.mayAny(TrustService.READ, TrustService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("reading the federation registry needs trust:read");
    }
    return parsed(() -> Page.of(page, TrustError.VALIDATION_FAILED)).compose(store::servers);
  }

  Future<JsonObject> put(String domain, JsonObject settings, Caller caller) {
    Integer limit = settings == null ? null : settings.getInteger("requests_per_minute");
    if (limit != null && (limit < 1 || limit > 1_000_000)) {
      return TrustError.VALIDATION_FAILED.fail("requests_per_minute must be 1 to 1000000", field("requests_per_minute"));
    }
    return admin(caller).compose(v -> server(domain))
      .compose(server -> store.putServer(server, limit == null ? config.serverRequestsPerMinute() : limit,
        caller.principal()));
  }

  Future<JsonObject> block(String domain, String reason, Caller caller) {
    return admin(caller).compose(v -> TrustServiceImpl.reasonOf(reason, "reason")).compose(v -> server(domain))
      // A server may be blocked before it is ever seen.
      .compose(server -> store.addServerIfAbsent(server, config.serverRequestsPerMinute(), caller.principal())
        .compose(x -> store.setServerState(server, reason, caller.principal()))
        .compose(blocked -> store.log(new Entity(Entity.FEDERATED_SERVER, server), "block_server", reason,
          caller.principal()).map(blocked.orElseThrow())));
  }

  Future<JsonObject> unblock(String domain, Caller caller) {
    return admin(caller).compose(v -> server(domain))
      .compose(server -> store.setServerState(server, null, caller.principal())
        .compose(allowed -> allowed.isEmpty() ? TrustError.FEDERATED_SERVER_NOT_FOUND.<JsonObject>fail(
          "no federated server " + server + " is known")
          : store.log(new Entity(Entity.FEDERATED_SERVER, server), "unblock_server", "unblocked",
            caller.principal()).map(allowed.get())));
  }

  Future<JsonObject> check(String domain, Caller caller) {
    if (!caller.mayAny(TrustService.READ, TrustService.ADMIN)) {
      return TrustError.FORBIDDEN.fail("checking a federated server needs trust:read");
    }
    // An unknown server is answered, never recorded: a reader asking about made-up names must not grow the
    // registry (servers enter it by an administrator's put or block).
    return server(domain).compose(server -> store.server(server)
      .compose(known -> known.isPresent() ? verdict(known.get())
        : !config.allowUnknownServers()
        ? Future.succeededFuture(new JsonObject().put("domain", server).put("allowed", false)
          .put("reason", "unknown_server"))
        : unknownVerdict(server)));
  }

  /** A server not in the registry, allowed by configuration: the default limit applies, counted like any other. */
  private Future<JsonObject> unknownVerdict(String domain) {
    int limit = config.serverRequestsPerMinute();
    return limits.count(domain).map(count -> {
      boolean over = count.isPresent() && count.get() > limit;
      return new JsonObject().put("domain", domain).put("state", "unknown").put("requests_per_minute", limit)
        .put("requests_this_minute", count.orElse(null)).put("allowed", !over).put("reason", over ? "rate_limited" : null);
    });
  }

  /** Blocked or suspended servers are refused; others count the request against their limit. */
  private Future<JsonObject> verdict(JsonObject server) {
    String domain = server.getString("domain");
    JsonObject answer = new JsonObject().put("domain", domain).put("state", server.getString("state"))
      .put("trust_score", server.getDouble("trust_score")).put("trust_level", server.getString("trust_level"))
      .put("requests_per_minute", server.getInteger("requests_per_minute"));
    if ("blocked".equals(server.getString("state"))) {
      return Future.succeededFuture(answer.put("allowed", false).put("reason", "blocked"));
    }
    if (server.getBoolean("suspended") || TrustScore.Level.SUSPENDED.id().equals(server.getString("trust_level"))) {
      return Future.succeededFuture(answer.put("allowed", false).put("reason", "suspended"));
    }
    return store.seen(domain).compose(v -> limits.count(domain)).map(count -> {
      boolean over = count.isPresent() && count.get() > server.getInteger("requests_per_minute");
      return answer.put("requests_this_minute", count.orElse(null))
        .put("allowed", !over).put("reason", over ? "rate_limited" : null);
    });
  }

  private static Future<String> server(String domain) {
    return parsed(() -> {
      try {
        return Entity.of(Entity.FEDERATED_SERVER, domain, null).id();
      } catch (ServiceException e) {
        throw Entity.invalid("domain", "domain must be a homeserver name such as matrix.example.org[:port]");
      }
    });
  }

  private static Future<Void> admin(Caller caller) {
    return caller.mayAny(TrustService.ADMIN) ? Future.succeededFuture()
      : TrustError.FORBIDDEN.fail("managing federated servers needs trust:admin");
  }
}
