package io.auralink.comm.trust.impl;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * Keeps the registry's copy of each AuraID's trust (level, verified, suspension) current. Every change is pushed
 * at once, before it is answered; a push that fails (the registry unreachable) is not lost: the entity stays
 * behind its {@code synced_version} and a periodic sweep pushes it again. Pushes carry the trust version, so the
 * registry ignores repeated and out-of-order ones, and several nodes may sweep side by side.
 */
final class IdentitySync {

  private static final Logger LOG = LoggerFactory.getLogger(IdentitySync.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final TrustStore store;
  private final IdentityService identity;
  private final AppConfig.Trust config;
  private long timer = -1;
  private boolean sweeping;

  IdentitySync(Vertx vertx, TrustStore store, IdentityService identity, AppConfig.Trust config) {
    this.vertx = vertx;
    this.store = store;
    this.identity = identity;
    this.config = config;
  }

  void start() {
    timer = vertx.setPeriodic(config.identitySyncInterval().toMillis(), id -> sweep());
  }

  void stop() {
    vertx.cancelTimer(timer);
  }

  /** Pushes an AuraID's trust to the registry; never fails (a failed push is retried by the sweep). */
  Future<Void> push(TrustStore.Snapshot trust) {
    if (!Entity.AURA_ID.equals(trust.entity().type())) {
      return Future.succeededFuture();
    }
    long version = trust.version();
    JsonObject pushed = new JsonObject()
      .put("version", version)
      .put("level", trust.score().level().id())
      .put("verified", !trust.components().verifications().isEmpty())
      .put("suspension", trust.suspension().map(TrustStore.Suspension::toJson).orElse(null));
    return identity.applyTrust(trust.entity().id(), pushed)
      .compose(applied -> store.synced(trust.entity(), version))
      .recover(e -> {
        LOG.warn("trust of an AuraID not pushed to the registry yet; the sweep retries {} {}",
          kv("aura_id", trust.entity().id()), kv("error", String.valueOf(e.getMessage())));
        return Future.succeededFuture();
      });
  }

  /** Pushes AuraIDs the registry is behind on; one sweep at a time per instance. */
  Future<Void> sweep() {
    if (sweeping) {
      return Future.succeededFuture();
    }
    sweeping = true;
    return store.unsyncedAuraIds(BATCH)
      .compose(due -> Future.join(due.stream()
        .map(entity -> store.find(entity).compose(this::push))
        .toList()))
      .<Void>mapEmpty()
      .onFailure(e -> LOG.warn("trust sweep failed {}", kv("error", String.valueOf(e.getMessage()))))
      .eventually(() -> {
        sweeping = false;
        return Future.succeededFuture();
      });
  }
}
