package io.auralink.comm.api;

import io.auralink.comm.api.auth.Authentication;
import io.auralink.comm.api.auth.ClientCertificates;
import io.auralink.comm.call.CallService;
import io.auralink.comm.echo.EchoService;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.notification.NotificationService;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Transport;
import io.auralink.comm.platform.tls.CertificateReloader;
import io.auralink.comm.platform.tls.TlsPolicy;
import io.auralink.comm.presence.PresenceService;
import io.auralink.comm.trust.TrustService;
import io.auralink.comm.verification.VerificationService;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.Json;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge. Its routes come from {@code openapi.yaml}: every operation runs the same chain
 * (authentication and scopes from the operation's security, validation against the document, the operation's
 * handler), and failures become the JSON error envelope in {@link Failures}. The verticle refuses to start if the
 * document and the handlers disagree. Several instances share the port, one per core by default.
 */
public final class ApiVerticle extends VerticleBase {

  public static final String CONTRACT = "openapi.yaml";

  private final Platform platform;
  private final Authentication authentication;
  private HttpServer server;
  private CertificateReloader reloader;

  public ApiVerticle(Platform platform, JWTAuth jwt) {
    this.platform = platform;
    AppConfig.Jwt config = platform.config().jwt();
    this.authentication = new Authentication(jwt, config.algorithms(), config.clockSkew(),
      config.maxUserTokenLifetime(), config.maxServiceTokenLifetime(),
      new ClientCertificates(platform.config().transport().clientCertificates()));
  }

  @Override
  public Future<?> start() {
    AppConfig.Http http = platform.config().http();
    // The domains' proxies are made here, on this instance's event loop, so that they reach the instances bound on
    // it (LoopAddresses); the router is built on a worker: parsing the YAML and compiling every operation's
    // validators is CPU work that would hold the event loop for a noticeable time on a busy machine.
    Map<String, ApiOperation> operations = operations();
    return vertx.fileSystem().readFile(CONTRACT)
      .compose(document -> vertx.executeBlocking(() -> yamlToJson(document))
        .compose(json -> OpenAPIContract.from(vertx, json))
        .compose(contract -> vertx.executeBlocking(() -> router(contract, document, http, operations))))
      .compose(router -> listen(router, http));
  }

  /** Routes requests, and answers those the decoder refused (too long, too large, malformed) in the envelope. */
  private static Future<HttpServer> serve(HttpServer server, Router router) {
    return server.requestHandler(router).invalidRequestHandler(new InvalidRequests()).listen();
  }

  /** Listens, over TLS (reloading rotated certificate files) when the listener has a certificate. */
  private Future<HttpServer> listen(Router router, AppConfig.Http http) {
    HttpServerOptions options = new HttpServerOptions()
      .setHost(http.host())
      .setPort(http.port())
      .setCompressionSupported(true)
      // Room for the original's GET /internal/presence/bulk?aura_ids= with 500 AuraIDs of the longest form.
      .setMaxInitialLineLength(16 * 1024)
      .setMaxFormAttributeSize((int) Math.min(Integer.MAX_VALUE, http.maxBodyBytes()));
    Transport transport = platform.config().transport();
    if (transport.http().isEmpty()) {
      return serve(vertx.createHttpServer(options), router).onSuccess(listening -> server = listening);
    }
    ServerSSLOptions tls = TlsPolicy.serverOptions(transport.http().get(), transport.clientCertificates());
    return CertificateReloader.prepare(vertx, transport.http().get(), tls, "api")
      .compose(prepared -> serve(vertx.createHttpServer(TlsPolicy.apply(options, tls)), router)
        .onSuccess(listening -> {
          server = listening;
          reloader = prepared;
          prepared.watch(listening, transport.reloadInterval());
        }));
  }

  private static JsonObject yamlToJson(Buffer yaml) {
    Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml.toString(StandardCharsets.UTF_8));
    // Through JSON text, so that every value is a plain JSON type whatever YAML made of it.
    return new JsonObject(Json.encode(document));
  }

  /** Stops accepting connections and lets in-flight requests finish within the configured grace period. */
  @Override
  public Future<?> stop() {
    if (reloader != null) {
      reloader.stop();
    }
    return server == null ? Future.succeededFuture()
      : server.shutdown(platform.config().http().shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
  }

  private Router router(OpenAPIContract contract, Buffer document, AppConfig.Http http,
                        Map<String, ApiOperation> operations) {
    checkCoverage(contract, operations);

    Router router = Router.router(vertx);
    Route root = router.route()
      .handler(new RequestTracking())
      .handler(new UriEncoding())
      .handler(new FormBodyGuard())
      .handler(TimeoutHandler.create(http.requestTimeout().toMillis(), 503));
    if (!http.corsOrigins().isEmpty()) {
      CorsHandler cors = CorsHandler.create()
        .addOrigins(http.corsOrigins())
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE))
        .allowedHeaders(Set.of("Authorization", "Content-Type", RequestTracking.HEADER))
        .exposedHeaders(Set.of(RequestTracking.HEADER, "WWW-Authenticate"));
      // Element Call's exchange answers its own origins (below), whatever the API's are.
      root.handler(new CorsExcept(cors, ElementCallRoutes.EXCHANGE_PATHS));
    }
    root.handler(BodyHandler.create(false).setBodyLimit(http.maxBodyBytes()));
    root.handler(new BodyDepth());
    for (String path : ElementCallRoutes.EXCHANGE_PATHS) {
      router.route(path).handler(ElementCallRoutes.cors(platform.config().elementCall().corsOrigins()));
    }

    RequestValidation validation = new RequestValidation(contract);
    MinorityGuard minorityGuard = new MinorityGuard(platform.cluster(), platform.config().cluster().minimumMembers());
    RateLimits rateLimits = new RateLimits(platform, contract);
    for (Operation operation : routeOrder(contract)) {
      Route route = router.route(operation.getHttpMethod(), vertxPath(operation.getOpenAPIPath()))
        .handler(ctx -> {
          ctx.put(RequestTracking.OPERATION_KEY, operation.getOperationId());
          ctx.next();
        });
      // Authentication, then validation: 401/403 come before 400, so nobody learns the shape of a request they
      // may not make.
      if (!operation.getSecurityRequirements().isEmpty()) {
        route.handler(authentication.guard(operation.getSecurityRequirements()));
      }
      rateLimits.forOperation(operation).ifPresent(route::handler);
      route.handler(validation.forOperation(operation));
      if (!HttpMethod.GET.equals(operation.getHttpMethod()) && !HttpMethod.HEAD.equals(operation.getHttpMethod())) {
        route.handler(minorityGuard);
      }
      route.handler(respond(operations.get(operation.getOperationId())));
    }
    // The document itself is served beside the routes it describes (the validator knows no YAML media type).
    router.get("/" + CONTRACT).handler(ctx -> ctx.response().putHeader("Content-Type", "application/yaml").end(document));
    if (http.docs()) {
      ApiDocs.mount(router);
    }

    Failures failures = new Failures(http.maxBodyBytes(),
      AllowedMethods.of(contract, Map.of("/" + CONTRACT, HttpMethod.GET.name())));
    router.route().failureHandler(failures);
    // 400: a request the router cannot read (a broken percent-encoding in the path) still gets the envelope.
    for (int status : List.of(400, 404, 405, 413)) {
      router.errorHandler(status, failures);
    }
    return router;
  }

  /** Operations in matching order: literal paths before templated ones ({@code /a/list} before {@code /a/{id}}). */
  private static List<Operation> routeOrder(OpenAPIContract contract) {
    return contract.operations().stream()
      .sorted(Comparator.comparingLong((Operation op) -> op.getOpenAPIPath().chars().filter(c -> c == '{').count()))
      .toList();
  }

  /** {@code /internal/auraid/{aura_id}} becomes {@code /internal/auraid/:aura_id}, the route template in metrics. */
  static String vertxPath(String openApiPath) {
    return openApiPath.replaceAll("\\{([^}/]+)}", ":$1");
  }

  private Map<String, ApiOperation> operations() {
    Map<String, ApiOperation> all = new HashMap<>();
    long eventBusTimeout = platform.config().node().eventBusTimeout().toMillis();
    List<RouteGroup> groups = List.of(new OperationsRoutes(platform), new PlatformRoutes(platform),
      new IdentityRoutes(IdentityService.proxy(vertx, platform.loops(), eventBusTimeout), platform.config().matrix()),
      new TrustRoutes(TrustService.proxy(vertx, platform.loops(), eventBusTimeout)),
      new MeshRoutes(MeshService.proxy(vertx, platform.loops(), eventBusTimeout),
        MeshService.onMember(vertx, platform.cluster().getNodeId(), eventBusTimeout)),
      new CallRoutes(CallService.proxy(vertx, platform.loops(), eventBusTimeout)),
      new VerificationRoutes(VerificationService.proxy(vertx, platform.loops(), eventBusTimeout)),
      new ElementCallRoutes(CallService.proxy(vertx, platform.loops(), eventBusTimeout)),
      new NotificationRoutes(NotificationService.proxy(vertx, platform.loops(), eventBusTimeout), vertx,
        platform.config().notification().streamHeartbeat()),
      new PresenceRoutes(PresenceService.proxy(vertx, platform.loops(), eventBusTimeout)),
      new EchoRoutes(EchoService.proxy(vertx, platform.loops(), eventBusTimeout)));
    for (RouteGroup group : groups) {
      group.operations().forEach((id, operation) -> {
        if (all.put(id, operation) != null) {
          throw new IllegalStateException("operation " + id + " is served twice");
        }
      });
    }
    return all;
  }

  private static void checkCoverage(OpenAPIContract contract, Map<String, ApiOperation> operations) {
    Set<String> documented = new HashSet<>();
    contract.operations().forEach(op -> documented.add(op.getOperationId()));
    Set<String> missing = new HashSet<>(documented);
    missing.removeAll(operations.keySet());
    Set<String> undocumented = new HashSet<>(operations.keySet());
    undocumented.removeAll(documented);
    if (!missing.isEmpty() || !undocumented.isEmpty()) {
      throw new IllegalStateException(CONTRACT + " and the handlers disagree: without handler " + missing
        + ", not documented " + undocumented);
    }
  }

  /** The API's CORS on every path but those that answer CORS of their own. */
  private record CorsExcept(CorsHandler cors, Set<String> paths) implements SecurityPolicyHandler {
    @Override
    public void handle(RoutingContext ctx) {
      if (paths.contains(ctx.normalizedPath())) {
        ctx.next();
      } else {
        cors.handle(ctx);
      }
    }
  }

  private static io.vertx.core.Handler<RoutingContext> respond(ApiOperation operation) {
    return ctx -> {
      Future<Reply> reply;
      try {
        reply = operation.handle(ctx);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onSuccess(r -> {
          if (r != Reply.STREAMING) {
            ctx.response().setStatusCode(r.status()).putHeader("Content-Type", r.contentType()).end(r.body());
          }
        })
        .onFailure(ctx::fail);
    };
  }
}
