package io.auralink.comm.api;

import io.auralink.comm.platform.BuildInfo;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * The rendered API reference at {@code /docs}: Swagger UI, shipped in the jar as the {@code org.webjars:swagger-ui}
 * artifact, showing the node's own {@code /openapi.yaml}. The page and every asset come from the node, so it works
 * offline, and its Content-Security-Policy forbids the browser to load anything from elsewhere. Open like the
 * document it renders; mounted only when {@code AURALINK_HTTP_DOCS} is on (start-dev's default).
 */
final class ApiDocs {

  static final String PATH = "/docs";
  static final String ASSETS = PATH + "/assets/";

  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/" + BuildInfo.SWAGGER_UI_VERSION + "/";
  private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
  /** What the page may load: its own scripts, styles and images (Swagger UI draws icons as data: URIs). */
  private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
    + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private record Asset(String classpath, String contentType) {
  }

  private static final Asset PAGE = new Asset("docs/index.html", "text/html; charset=utf-8");
  /** The only files served under {@link #ASSETS}, by name; anything else is 404. */
  private static final Map<String, Asset> FILES = Map.of(
    "docs.js", new Asset("docs/docs.js", JAVASCRIPT),
    "swagger-ui-bundle.js", new Asset(WEBJAR + "swagger-ui-bundle.js", JAVASCRIPT),
    "swagger-ui.css", new Asset(WEBJAR + "swagger-ui.css", "text/css; charset=utf-8"),
    "favicon-32x32.png", new Asset(WEBJAR + "favicon-32x32.png", "image/png"));

  private ApiDocs() {
  }

  /** Adds {@code GET /docs} and its assets to the router. */
  static void mount(Router router) {
    router.get(PATH).handler(ctx -> send(ctx, PAGE));
    router.get(ASSETS + ":name").handler(ctx -> {
      Asset asset = FILES.get(ctx.pathParam("name"));
      if (asset == null) {
        ctx.next();
      } else {
        send(ctx, asset);
      }
    });
  }

  /** Reads the file off the event loop (Vert.x resolves class-path files on a worker) and answers with it. */
  private static void send(RoutingContext ctx, Asset asset) {
    ctx.vertx().fileSystem().readFile(asset.classpath())
      .onSuccess(content -> ctx.response()
        .putHeader("Content-Type", asset.contentType())
        .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .putHeader("X-Content-Type-Options", "nosniff")
        // The files change with each build: a browser asks again rather than show a stale reference.
        .putHeader("Cache-Control", "no-cache")
        .end(content))
      .onFailure(ctx::fail);
  }
}
