package io.auralink.comm.platform.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionFunction;

import java.util.Collection;

/**
 * Hazelcast's split-brain protection function for the mesh maps: writes need at least {@code minimum} members once
 * this member has been part of a cluster that large. Before that (a member starting first, the others not yet
 * joined) its writes pass: they are internal (the graph restored from PostgreSQL, the truth), and the API refuses
 * every change while the cluster is still forming anyway ({@code CLUSTER_MINORITY}). Afterwards a member cut off
 * into a minority (frozen, partitioned) has every mesh map write refused by Hazelcast itself, even one that got past
 * the API's guard. Without the first clause a lone first member could never restore the graph at start.
 */
final class MinimumMembersOnceFormed implements SplitBrainProtectionFunction {

  private final int minimum;
  private volatile boolean formed;

  MinimumMembersOnceFormed(int minimum) {
    this.minimum = minimum;
  }

  @Override
  public boolean apply(Collection<Member> members) {
    if (members.size() >= minimum) {
      formed = true;
      return true;
    }
    return !formed;
  }
}
