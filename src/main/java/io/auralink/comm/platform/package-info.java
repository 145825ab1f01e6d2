/**
 * What every node and domain shares: the node itself, configuration, storage, cluster, health, error codes, and
 * {@link io.auralink.comm.platform.Caller}, the caller every domain contract takes.
 */
@ModuleGen(name = "auralink-platform", groupPackage = "io.auralink.comm")
package io.auralink.comm.platform;

import io.vertx.codegen.annotations.ModuleGen;
