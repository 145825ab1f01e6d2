/**
 * The AuraID registry: registration, privacy, contacts, resolution and the Matrix mapping. The contract is
 * {@link io.auralink.comm.identity.IdentityService} on the event bus at {@code auralink.identity}; changes are
 * published on {@code auralink.identity.changed} ({@link io.auralink.comm.identity.IdentityEvents}).
 */
@ModuleGen(name = "auralink-identity", groupPackage = "io.auralink.comm")
package io.auralink.comm.identity;

import io.vertx.codegen.annotations.ModuleGen;
