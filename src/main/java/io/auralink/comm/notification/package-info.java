/**
 * The notification hub: a person's apps and the channel each device is reached by (Standard Webhooks, or a Matrix
 * push gateway), their preferences, the durable delivery queue in PostgreSQL with workers on every member, and ring
 * control on the call domain's {@code auralink.call.state}. The contract is
 * {@link io.auralink.comm.notification.NotificationService} on the event bus at {@code auralink.notification}.
 */
@ModuleGen(name = "auralink-notification", groupPackage = "io.auralink.comm")
package io.auralink.comm.notification;

import io.vertx.codegen.annotations.ModuleGen;
