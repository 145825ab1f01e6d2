package io.auralink.comm.cli;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;

import java.time.Duration;
import java.util.Optional;

/** A started node and, in start-dev, the embedded stores it uses; closing stops both, node first. */
public record RunningNode(Node node, Optional<EmbeddedStores> stores) implements AutoCloseable {

  @Override
  public void close() {
    try {
      Blocking.await(node.close(), Duration.ofSeconds(60));
    } finally {
      stores.ifPresent(EmbeddedStores::close);
    }
  }
}
