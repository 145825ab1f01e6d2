/**
 * Verification: email and phone codes, Stripe Identity document checks, OAuth (PKCE) social checks and liveness
 * checks, with the providers in {@code channels}, feeding the trust domain once per method. The contract is {@link io.auralink.comm.verification.VerificationService} on the event bus at
 * {@code auralink.verification}; a completed verification is published on {@code auralink.verification.completed}
 * ({@link io.auralink.comm.verification.VerificationEvents}).
 */
@ModuleGen(name = "auralink-verification", groupPackage = "io.auralink.comm")
package io.auralink.comm.verification;

import io.vertx.codegen.annotations.ModuleGen;
