/**
 * Trust and moderation: a 0–100 score per entity (AuraID, mesh node, federated server) from verifications,
 * behaviour and abuse reports; six levels; automatic and manual suspension; the review queue, the moderation log
 * and the registry of federated homeservers. The contract is {@link io.auralink.comm.trust.TrustService} on the
 * event bus at {@code auralink.trust}; every change is published on {@code auralink.trust.changed}
 * ({@link io.auralink.comm.trust.TrustEvents}).
 */
@ModuleGen(name = "auralink-trust", groupPackage = "io.auralink.comm")
package io.auralink.comm.trust;

import io.vertx.codegen.annotations.ModuleGen;
