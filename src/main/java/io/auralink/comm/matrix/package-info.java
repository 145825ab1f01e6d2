/**
 * The Matrix bridge: the Application Service edge toward a Matrix homeserver ({@link
 * io.auralink.comm.matrix.MatrixBridgeVerticle}). Transactions are stored durably before they are acknowledged and
 * processed afterwards by any member, in order per room; legacy VoIP ({@code m.call.*}) becomes calls of the call
 * domain with entry point {@code matrix_legacy}, MatrixRTC memberships ({@code org.matrix.msc3401.call.member},
 * {@code m.rtc.member}) a room call with entry point {@code matrix_rtc} that members join and leave, and the bridge acts as its users in Matrix where it must (joining
 * rooms they are invited to, refusing calls they cannot take, hanging up calls the call domain ended).
 */
package io.auralink.comm.matrix;
