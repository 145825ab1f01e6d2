package io.auralink.comm.matrix.impl;

import io.auralink.comm.call.CallEvents;
import io.auralink.comm.call.CallService;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.tls.CertificateReloader;
import io.auralink.comm.platform.tls.TlsPolicy;
import io.auralink.comm.presence.PresenceService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ServerSSLOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The Matrix bridge of one member: the Application Service listener, the intake processor (membership, legacy VoIP,
 * MatrixRTC), the periodic work (due events, queue depth, purge of old events, the silence warning, expired MatrixRTC
 * memberships) and the hang-ups sent into Matrix when the call domain
 * ends a relayed call by policy. Built and stopped by {@link io.auralink.comm.matrix.MatrixBridgeVerticle}.
 */
public final class Bridge {

  private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);
  /** Who the bridge is toward the other domains. */
  static final Caller CALLER = Caller.service("matrix-bridge", Set.of(CallService.WRITE, IdentityService.READ,
    PresenceService.READ));
  private static final long STATUS_INTERVAL_MS = 5_000;
  private static final long PURGE_INTERVAL_MS = 3_600_000;

  private final Vertx vertx;
  private final Platform platform;
  private final AppConfig.Matrix matrix;
  private final AppConfig.MatrixBridge config;
  private final IntakeStore store;
  private final HomeserverClient homeserver;
  private final LinkStatus link;
  private final IntakeProcessor processor;
  private final AsEndpoints endpoints;
  private final long[] timers = new long[4];
  private final MatrixRtc rtc;
  private MessageConsumer<JsonObject> callEvents;
  private HttpServer server;
  private CertificateReloader reloader;
  private final String member;
  private long lastSilenceWarning;

  private Bridge(Vertx vertx, Platform platform, String member) {
    this.vertx = vertx;
    this.platform = platform;
    this.member = member;
    this.matrix = platform.config().matrix();
    this.config = platform.config().matrixBridge();
    long timeout = platform.config().node().eventBusTimeout().toMillis();
    CallService calls = CallService.proxy(vertx, timeout);
    IdentityService identity = IdentityService.proxy(vertx, timeout);
    MatrixUsers users = new MatrixUsers(matrix.serverName());
    this.store = new IntakeStore(platform.pool());
    this.homeserver = new HomeserverClient(vertx, matrix, platform.config().transport());
    this.link = new LinkStatus(platform.metrics());
    Membership membership = new Membership(identity, homeserver, users, CALLER);
    LegacyVoip voip = new LegacyVoip(calls, PresenceService.proxy(vertx, timeout), identity, store, homeserver, users, CALLER,
      platform.config().call().maxRingTime().toMillis());
    this.rtc = new MatrixRtc(calls, new RtcStore(platform.pool()), users, CALLER,
      platform.config().call().maxRingTime().toMillis());
    this.processor = new IntakeProcessor(store, config, member,
      event -> event.type().equals("m.room.member") ? membership.handle(event)
        : RtcMembership.handles(event.type()) ? rtc.handle(event) : voip.handle(event),
      platform.metrics());
    this.endpoints = new AsEndpoints(store, membership, homeserver, users, link, processor::nudge, config,
      matrix.hsToken().orElseThrow(), platform.metrics());
  }

  /** Starts the bridge: listener, processing and call events; the ping follows without holding the start. */
  public static Future<Bridge> start(Vertx vertx, Platform platform, String member) {
    Bridge bridge = new Bridge(vertx, platform, member);
    return bridge.listen().map(bridge);
  }

  private Future<Void> listen() {
    callEvents = vertx.eventBus().consumer(CallEvents.STATE, message -> callChanged(message.body()));
    return callEvents.completion()
      .compose(registered -> createServer())
      .compose(created -> created.requestHandler(endpoints.router(vertx)).listen(config.port(), config.host()))
      .map(listening -> {
        server = listening;
        if (reloader != null) {
          reloader.watch(listening, platform.config().transport().reloadInterval());
        }
        LOG.info("Matrix Application Service listening {} {}", kv("host", config.host()),
          kv("port", listening.actualPort()));
        timers[0] = vertx.setPeriodic(config.pollInterval().toMillis(), id -> processor.nudge());
        timers[1] = vertx.setPeriodic(STATUS_INTERVAL_MS, id -> refreshStatus());
        timers[2] = vertx.setPeriodic(PURGE_INTERVAL_MS, id -> purge());
        timers[3] = vertx.setPeriodic(config.pollInterval().toMillis(), id -> rtc.sweep());
        processor.nudge();
        ping();
        return null;
      });
  }

  /** The listener's server: over TLS, reloading rotated certificate files, when it has a certificate. */
  private Future<HttpServer> createServer() {
    HttpServerOptions options = new HttpServerOptions().setHost(config.host());
    Optional<Transport.ListenerTls> tls = platform.config().transport().matrixAs();
    if (tls.isEmpty()) {
      return Future.succeededFuture(vertx.createHttpServer(options));
    }
    ServerSSLOptions sslOptions = TlsPolicy.serverOptions(tls.get(), Optional.empty());
    return CertificateReloader.prepare(vertx, tls.get(), sslOptions, "matrix-as").map(prepared -> {
      reloader = prepared;
      return vertx.createHttpServer(TlsPolicy.apply(options, sslOptions));
    });
  }

  /** The port the listener is bound to (the configured one, or the one chosen for port 0). */
  public int port() {
    return server.actualPort();
  }

  public LinkStatus link() {
    return link;
  }

  public Future<Void> stop() {
    processor.stop();
    if (reloader != null) {
      reloader.stop();
    }
    for (long timer : timers) {
      vertx.cancelTimer(timer);
    }
    return Future.join(callEvents.unregister(), server == null ? Future.succeededFuture() : server.close())
      .eventually(() -> {
        homeserver.close();
        return Future.succeededFuture();
      }).mapEmpty();
  }

  /** Asks the homeserver to ping us, which also cuts short its back-off toward us after an outage. */
  private void ping() {
    if (!homeserver.configured()) {
      return;
    }
    // Not a random UUID: seeding SecureRandom on an event loop can block it.
    homeserver.ping("auralink-" + member + "-" + System.currentTimeMillis())
      .onSuccess(duration -> {
        link.pinged(duration);
        LOG.info("Homeserver ping answered {}", kv("duration_ms", duration));
      })
      .onFailure(e -> {
        link.pingFailed(e.getMessage());
        LOG.warn("Homeserver ping failed {}", kv("error", e.getMessage()));
      });
  }

  private void refreshStatus() {
    store.depth().onSuccess(depth -> link.queue(depth[0], depth[1]));
    long silent = link.millisSinceTransaction();
    long window = config.silenceWarning().toMillis();
    if (silent > window && System.currentTimeMillis() - lastSilenceWarning > window) {
      store.liveCalls().onSuccess(live -> {
        if (live) {
          lastSilenceWarning = System.currentTimeMillis();
          LOG.warn("No transaction from the homeserver while Matrix calls are live {} {}",
            kv("silent_seconds", silent == Long.MAX_VALUE ? -1 : silent / 1000), kv("threshold", config.silenceWarning()));
        }
      });
    }
  }

  private void purge() {
    store.purge(config.retention().toSeconds())
      .onSuccess(purged -> LOG.debug("Matrix intake purged {}", kv("events", purged)))
      .onFailure(e -> LOG.warn("Matrix intake purge failed {}", kv("error", e.getMessage())));
  }

  /**
   * A relayed call changed state. An end records that it no longer runs; an end by policy (the call domain
   * terminated it: suspension, operator) is sent into Matrix as a hang-up from the callee, once across members.
   */
  private void callChanged(JsonObject event) {
    String entryPoint = event.getString("entry_point");
    if (entryPoint == null || !entryPoint.startsWith("matrix_")) {
      return;
    }
    String state = event.getString("state");
    if ("ringing".equals(state) || "answered".equals(state)) {
      return;
    }
    UUID callId = UUID.fromString(event.getString("call_id"));
    Future<Void> ended = store.ended(callId)
      .onFailure(e -> LOG.warn("Matrix call end not recorded {} {}", kv("call_id", callId), kv("error", e.getMessage())));
    if (!"terminated".equals(state) || !homeserver.configured()) {
      return;
    }
    ended.compose(done -> store.claimHangup(callId)).compose(call -> call.isEmpty() || !"legacy".equals(call.get().kind())
        ? Future.succeededFuture()
        : homeserver.send(call.get().calleeUserId(), call.get().roomId(), "m.call.hangup",
          "auralink-hangup-" + callId, new JsonObject()
            .put("call_id", call.get().matrixCallId()).put("party_id", "auralink")
            .put("version", "0".equals(call.get().version()) ? (Object) 0 : "1")
            .put("reason", "user_hangup").put("io.auralink.reason", event.getString("reason"))))
      .onSuccess(sent -> LOG.info("Matrix call hung up after the call domain ended it {} {}", kv("call_id", callId),
        kv("reason", event.getString("reason"))))
      .onFailure(e -> LOG.warn("Matrix hang-up not sent {} {}", kv("call_id", callId), kv("error", e.getMessage())));
  }
}
