package io.auralink.comm.mesh;

/**
 * What the mesh publishes on {@link #NODE_CHANGED} after a node's change is replicated: {@code {node_id, aura_id,
 * change, online, suspended, owner_active, trust_score, version, at}}, with {@code change} one of {@code registered,
 * updated, removed, online, offline, trust, owner} ({@code owner}: the owner was deactivated, suspended or is active
 * again, see {@code owner_active}). Published once, by the member that made the change.
 */
public final class MeshEvents {

  public static final String NODE_CHANGED = "auralink.mesh.node.changed";

  private MeshEvents() {
  }
}
