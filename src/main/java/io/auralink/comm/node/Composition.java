package io.auralink.comm.node;

import io.auralink.comm.api.ApiVerticle;
import io.auralink.comm.call.CallVerticle;
import io.auralink.comm.echo.EchoVerticle;
import io.auralink.comm.identity.IdentityVerticle;
import io.auralink.comm.matrix.MatrixBridgeVerticle;
import io.auralink.comm.mesh.MeshVerticle;
import io.auralink.comm.notification.NotificationVerticle;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Role;
import io.auralink.comm.presence.PresenceVerticle;
import io.auralink.comm.trust.TrustVerticle;
import io.auralink.comm.verification.VerificationVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The composition: which verticles each role deploys and how many instances of each. It is the one place that
 * names the domains and the api together; {@code platform} below knows none of them. Adding a domain is one more
 * row in {@link #table} (and its {@link Role}).
 */
final class Composition {

  /**
   * What one role deploys: its verticle, built once per instance, and how many instances a node runs. A row
   * without a role runs on every node.
   */
  record Deployment(Role role, int instances, Supplier<? extends Deployable> verticle) {

    boolean runsWith(Set<Role> roles) {
      return role == null || roles.contains(role);
    }
  }

  private Composition() {
  }

  /** Every role's deployment, in the order a node starts them. */
  static List<Deployment> table(Platform platform, JWTAuth jwt) {
    AppConfig config = platform.config();
    int domainInstances = config.node().domainInstances();
    return List.of(
      new Deployment(Role.IDENTITY, domainInstances, () -> new IdentityVerticle(platform)),
      new Deployment(Role.TRUST, domainInstances, () -> new TrustVerticle(platform)),
      // One per node: each instance would hold a whole copy of the graph.
      new Deployment(Role.MESH, 1, () -> new MeshVerticle(platform)),
      new Deployment(Role.CALL, domainInstances, () -> new CallVerticle(platform)),
      new Deployment(Role.VERIFICATION, domainInstances, () -> new VerificationVerticle(platform)),
      new Deployment(Role.PRESENCE, domainInstances, () -> new PresenceVerticle(platform)),
      // One per node: each instance receives every call event, and one worker per member drains the queue.
      new Deployment(Role.NOTIFICATION, 1, () -> new NotificationVerticle(platform)),
      // One per node: a single listener on the Application Service port; processing is spread by leases anyway.
      new Deployment(Role.MATRIX, 1, () -> new MatrixBridgeVerticle(platform)),
      // Every node answers echoes: the ceiling of a domain operation, and a probe of the event bus.
      new Deployment(null, domainInstances, () -> new EchoVerticle(platform)),
      new Deployment(Role.API, config.http().instances(), () -> new ApiVerticle(platform, jwt)));
  }

  /**
   * Deploys the rows of these roles: the services side by side, then the edge, so that every api instance finds the
   * services already bound on its own event loop (see {@link io.auralink.comm.platform.bus.LoopAddresses}). Answers
   * the deployment ids. A role without a row fails the start rather than leaving the node silently without it.
   */
  static Future<List<String>> deploy(Vertx vertx, Set<Role> roles, List<Deployment> table) {
    List<Role> missing = roles.stream().filter(role -> table.stream().noneMatch(row -> row.role() == role)).toList();
    if (!missing.isEmpty()) {
      return Future.failedFuture(new IllegalStateException("no deployment for the roles " + missing));
    }
    List<Deployment> rows = table.stream().filter(row -> row.runsWith(roles)).toList();
    return deployAll(vertx, rows.stream().filter(row -> row.role() != Role.API).toList())
      .compose(services -> deployAll(vertx, rows.stream().filter(row -> row.role() == Role.API).toList())
        .map(edges -> Stream.concat(services.stream(), edges.stream()).toList()));
  }

  private static Future<List<String>> deployAll(Vertx vertx, List<Deployment> rows) {
    List<Future<String>> started = rows.stream()
      .map(row -> vertx.deployVerticle(row.verticle(), new DeploymentOptions().setInstances(row.instances())))
      .toList();
    return Future.all(started).map(all -> started.stream().map(Future::result).toList());
  }
}
