package io.auralink.comm.mesh.replication;

import com.hazelcast.spi.merge.MergingValue;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When a split heals, the value with the higher version stays, whichever side holds it. */
class HighestVersionMergePolicyTest {

  private final HighestVersionMergePolicy<Object, MergingValue<Object>> policy = new HighestVersionMergePolicy<>();

  @Test
  void the_higher_version_stays_from_either_side() {
    String older = node(3);
    String newer = node(7);
    assertEquals(newer, policy.merge(value(newer), value(older)), "the merging side changed it later");
    assertEquals(newer, policy.merge(value(older), value(newer)), "the cluster's side changed it later");
  }

  @Test
  void a_tie_or_a_value_without_a_version_keeps_the_clusters_value() {
    String mine = node(5);
    assertEquals(mine, policy.merge(value(node(5)), value(mine)));
    assertEquals(mine, policy.merge(value("not json"), value(mine)));
    assertEquals(mine, policy.merge(value(new JsonObject().put("id", "x").encode()), value(mine)));
  }

  @Test
  void an_entry_only_one_side_holds_is_kept_and_the_later_heartbeat_wins() {
    String only = node(1);
    assertEquals(only, policy.merge(value(only), null));
    assertEquals(2_000L, policy.merge(value(2_000L), value(1_000L)));
    assertEquals(2_000L, policy.merge(value(1_000L), value(2_000L)));
  }

  private static String node(long version) {
    return new JsonObject().put("node_id", "n1").put("version", version).encode();
  }

  private static MergingValue<Object> value(Object value) {
    return new MergingValue<>() {
      @Override
      public Object getValue() {
        return value;
      }

      @Override
      public Object getRawValue() {
        return value;
      }
    };
  }
}
