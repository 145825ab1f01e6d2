package io.auralink.comm.mesh.replication;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * How the mesh maps merge when a split cluster heals (cluster.xml): of the two sides' values for one key, the one
 * with the higher version stays, so the later change wins whichever side made it. Nodes and links are JSON with a
 * {@code version} that every change increments (a restore from PostgreSQL sets it above any count); heartbeats
 * are times, the later one stays. On a tie, or a value that carries no version, the cluster's own value stays.
 *
 * @param <V> the map's value type
 * @param <T> the merging view Hazelcast hands over
 */
public final class HighestVersionMergePolicy<V, T extends MergingValue<V>> implements SplitBrainMergePolicy<V, T, Object> {

  @Override
  public Object merge(T merging, T existing) {
    if (existing == null) {
      return merging.getRawValue();
    }
    return version(merging.getValue()) > version(existing.getValue()) ? merging.getRawValue() : existing.getRawValue();
  }

  /** The version of a value: a node's or link's {@code version}, a heartbeat's time; -1 when it has none. */
  static long version(Object value) {
    if (value instanceof Long time) {
      return time;
    }
    if (value instanceof String json) {
      try {
        return new JsonObject(json).getLong("version", -1L);
      } catch (DecodeException | ClassCastException e) {
        return -1;
      }
    }
    return -1;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // Stateless: nothing to send to the member that merges.
  }

  @Override
  public void readData(ObjectDataInput in) {
    // Stateless.
  }
}
