/**
 * Calls: one state machine for every entry point (the HTTP API, Matrix legacy VoIP, MatrixRTC), the call log with
 * its participants and devices, durable ring deadlines swept by any member, LiveKit rooms and join tokens for
 * central routes, and the feedback a call leaves (route outcome to the mesh, behaviour to trust, metrics). The
 * contract is {@link io.auralink.comm.call.CallService} on the event bus at {@code auralink.call}; every change of
 * state is published on {@code auralink.call.state} ({@link io.auralink.comm.call.CallEvents}).
 */
@ModuleGen(name = "auralink-call", groupPackage = "io.auralink.comm")
package io.auralink.comm.call;

import io.vertx.codegen.annotations.ModuleGen;
