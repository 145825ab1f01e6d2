/**
 * Presence: who is reachable, per device ({@code online}, {@code away}, {@code busy}, {@code dnd}, {@code offline})
 * and aggregated per person, kept in Redis with a TTL, shown only to who may see the AuraID (and, by the person's
 * choice, only to their contacts), published coalesced on {@code auralink.presence.changed} and mirrored to Matrix.
 * The contract is {@link io.auralink.comm.presence.PresenceService} on the event bus at {@code auralink.presence}.
 */
@ModuleGen(name = "auralink-presence", groupPackage = "io.auralink.comm")
package io.auralink.comm.presence;

import io.vertx.codegen.annotations.ModuleGen;
