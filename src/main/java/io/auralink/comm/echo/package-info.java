/**
 * The echo service: answers at once, touches no storage. Through the HTTP edge ({@code POST /internal/echo}) it is
 * the ceiling every domain operation is measured against (authentication, validation, one event-bus
 * request/reply), and from any member it shows that the event bus reaches a node. The contract is
 * {@link io.auralink.comm.echo.EchoService} at {@code auralink.echo}.
 */
@ModuleGen(name = "auralink-echo", groupPackage = "io.auralink.comm")
package io.auralink.comm.echo;

import io.vertx.codegen.annotations.ModuleGen;
