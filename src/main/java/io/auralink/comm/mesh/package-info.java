/**
 * Mesh routing: nodes and links replicated cluster-wide through Hazelcast ({@code replication}), a hot graph in
 * every member ({@code graph}), the quality model ({@code quality}), and route selection in four tiers. The contract
 * is {@link io.auralink.comm.mesh.MeshService} on the event bus at {@code auralink.mesh}; node changes are published
 * on {@code auralink.mesh.node.changed} ({@link io.auralink.comm.mesh.MeshEvents}).
 */
@ModuleGen(name = "auralink-mesh", groupPackage = "io.auralink.comm")
package io.auralink.comm.mesh;

import io.vertx.codegen.annotations.ModuleGen;
