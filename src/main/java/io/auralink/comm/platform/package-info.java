/**
 * The ground floor every domain and the api stand on: what verticles share ({@link io.auralink.comm.platform.Platform}),
 * configuration, storage, cluster, transport security ({@code tls}), health, error codes, {@link io.auralink.comm.platform.Caller} (the caller every
 * domain contract takes) and {@link io.auralink.comm.platform.ServiceVerticle} (how a domain binds its contract). It
 * imports no domain, no api class and nothing of the node above it.
 */
@ModuleGen(name = "auralink-platform", groupPackage = "io.auralink.comm")
package io.auralink.comm.platform;

import io.vertx.codegen.annotations.ModuleGen;
