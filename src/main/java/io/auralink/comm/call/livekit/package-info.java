/**
 * LiveKit, as the call domain uses it: access tokens we mint, its RoomService, its webhooks, and Element Call's
 * token exchange. Facts and sources in {@code shared/PROTOCOLS.md} §4–5.
 */
package io.auralink.comm.call.livekit;
