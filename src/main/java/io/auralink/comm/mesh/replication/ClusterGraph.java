package io.auralink.comm.mesh.replication;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.mesh.quality.NodeQuality;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The cluster-wide truth of the mesh graph, in Hazelcast maps with one synchronous backup each (cluster.xml):
 * nodes and links by id, as JSON, and the last heartbeat of each node, which has no listeners so that beats are
 * not replicated to every member. Every change runs as an entry processor on the key's owner, so concurrent changes
 * to one node or link are applied one after the other and each gets the next version.
 * <p>
 * <b>Every method here blocks</b> (Hazelcast operations): call them on worker threads only.
 */
public final class ClusterGraph {

  public static final String NODES = "auralink.mesh.nodes";
  public static final String LINKS = "auralink.mesh.links";
  public static final String BEATS = "auralink.mesh.beats";
  public static final String META = "auralink.mesh.meta";
  /**
   * Tombstones: node id to the time it was removed. A split's other side may still hold a removed node; when the
   * split heals its copy merges back ({@link HighestVersionMergePolicy} sees no value on this side to compare), so
   * a merged node registered before its tombstone is removed again, and a tombstone merged from the other side
   * removes the node it names. Kept for {@link #TOMBSTONE_HOURS}: longer than any split is expected to last.
   */
  public static final String REMOVED = "auralink.mesh.removed";
  static final long TOMBSTONE_HOURS = 24;

  private final IMap<String, String> nodes;
  private final IMap<String, String> links;
  private final IMap<String, Long> beats;
  private final IMap<String, String> meta;
  private final IMap<String, Long> removed;
  private final HazelcastInstance hazelcast;
  /** Re-applies tombstones to merged entries off Hazelcast's event threads (its calls block). */
  private ExecutorService tombstones;
  private final List<UUID> listeners = new ArrayList<>();
  private final Map<IMap<?, ?>, UUID> partitionListeners = new HashMap<>();
  private UUID mergeListener;
  private UUID tombstoneListener;
  /** Partitions of the graph's maps that lost every replica since {@link #takeLostPartitions}, by map name. */
  private final Map<String, Set<Integer>> lostPartitions = new ConcurrentHashMap<>();

  public ClusterGraph(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.nodes = hazelcast.getMap(NODES);
    this.links = hazelcast.getMap(LINKS);
    this.beats = hazelcast.getMap(BEATS);
    this.meta = hazelcast.getMap(META);
    this.removed = hazelcast.getMap(REMOVED);
  }

  /** A replicated change as a member's hot graph receives it. */
  public sealed interface Change {
    /** Whether it arrived as it happened (from a listener), rather than from a snapshot. */
    boolean live();
  }

  public record NodeChanged(NodeState node, boolean live) implements Change {
  }

  public record NodeRemoved(String nodeId, long version, boolean live) implements Change {
  }

  public record LinkChanged(LinkState link, boolean live) implements Change {
  }

  /**
   * Delivers every change of nodes and links to {@code sink} (on Hazelcast's event threads). After this member
   * merged into another cluster (a healed split), it also delivers a snapshot of the maps, on a thread of its own:
   * entries the other side made during the split never change again, so no event would bring them to this
   * member's graph; versions order them with the rest.
   */
  public void listen(Consumer<Change> sink) {
    tombstones = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "auralink-mesh-tombstones");
      thread.setDaemon(true);
      return thread;
    });
    listeners.add(nodes.addEntryListener(new NodeListener(sink, this::applyTombstone), true));
    listeners.add(links.addEntryListener(new LinkListener(sink), true));
    tombstoneListener = removed.addEntryListener((EntryMergedListener<String, Long>) event ->
      applyTombstone(event.getKey()), false);
    mergeListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        Thread reconcile = new Thread(() -> snapshot().forEach(sink), "auralink-mesh-merge-reconcile");
        reconcile.setDaemon(true);
        reconcile.start();
      }
    });
  }

  /**
   * Calls {@code lost} when a partition of one of the graph's maps lost its owner and every backup (members died
   * faster than backups could be re-established, e.g. during a migration): what PostgreSQL holds can then be put
   * back. Hazelcast's cluster-wide partition events also fire when only an owner goes and its backup takes over,
   * which loses nothing; the maps' own listeners fire only on a real loss, and {@link #takeLostPartitions} says
   * which.
   */
  public void onPartitionLost(Runnable lost) {
    for (IMap<?, ?> map : List.of(nodes, links, beats, meta)) {
      partitionListeners.put(map, map.addPartitionLostListener(event -> {
        lostPartitions.computeIfAbsent(event.getName(), name -> ConcurrentHashMap.newKeySet())
          .add(event.getPartitionId());
        lost.run();
      }));
    }
  }

  /** The partitions lost since the last call, as map name to sorted partition ids; forgets them. Does not block. */
  public Map<String, List<Integer>> takeLostPartitions() {
    Map<String, List<Integer>> taken = new TreeMap<>();
    for (String map : List.copyOf(lostPartitions.keySet())) {
      Set<Integer> partitions = lostPartitions.remove(map);
      if (partitions != null && !partitions.isEmpty()) {
        taken.put(map, partitions.stream().sorted().toList());
      }
    }
    return taken;
  }

  public void stopListening() {
    listeners.forEach(id -> {
      nodes.removeEntryListener(id);
      links.removeEntryListener(id);
    });
    listeners.clear();
    if (tombstoneListener != null) {
      removed.removeEntryListener(tombstoneListener);
      tombstoneListener = null;
    }
    if (tombstones != null) {
      tombstones.shutdownNow();
      tombstones = null;
    }
    if (mergeListener != null) {
      hazelcast.getLifecycleService().removeLifecycleListener(mergeListener);
      mergeListener = null;
    }
    partitionListeners.forEach((map, id) -> map.removePartitionLostListener(id));
    partitionListeners.clear();
  }

  /** Puts back stored nodes and links that the maps no longer hold (present entries are left alone). */
  public int restoreMissing(List<NodeState> storedNodes, List<LinkState> storedLinks) {
    int restored = 0;
    for (NodeState node : storedNodes) {
      restored += nodes.putIfAbsent(node.nodeId(), node.toJson().encode()) == null ? 1 : 0;
    }
    for (LinkState link : storedLinks) {
      restored += links.putIfAbsent(LinkState.key(link.a(), link.b()), link.toJson().encode()) == null ? 1 : 0;
    }
    return restored;
  }

  /** Everything now held, for a member's first build of its hot graph. */
  public List<Change> snapshot() {
    List<Change> all = new ArrayList<>();
    nodes.values().forEach(json -> all.add(new NodeChanged(NodeState.fromJson(new JsonObject(json)), false)));
    links.values().forEach(json -> all.add(new LinkChanged(LinkState.fromJson(new JsonObject(json)), false)));
    return all;
  }

  /** True for exactly one caller while the maps are empty: that member restores the graph from PostgreSQL. */
  public boolean claimRestore(String memberId) {
    return nodes.isEmpty() && links.isEmpty() && meta.putIfAbsent("restored-by", memberId) == null;
  }

  /**
   * Whether every partition has its backups, i.e. losing a member now loses nothing from the maps (right after a
   * member joins or leaves, until migrations finish, it may).
   */
  public boolean safe() {
    return hazelcast.getPartitionService().isClusterSafe();
  }

  public void restore(List<NodeState> restoredNodes, List<LinkState> restoredLinks) {
    Map<String, String> n = new HashMap<>();
    restoredNodes.forEach(node -> n.put(node.nodeId(), node.toJson().encode()));
    Map<String, String> l = new HashMap<>();
    restoredLinks.forEach(link -> l.put(LinkState.key(link.a(), link.b()), link.toJson().encode()));
    nodes.putAll(n);
    links.putAll(l);
  }

  // ---- node changes -----------------------------------------------------------------------------------------

  /**
   * Registers or re-registers a node: its static fields change, its liveness and trust stay, and of the owner's
   * standing the one learned later stays.
   */
  public NodeState register(NodeState node) {
    return apply(node.nodeId(), new NodeProcessor(NodeProcessor.Kind.REGISTER, node.toJson().encode(), false, 0, 0, 0,
      false, false, 0));
  }

  /** Changes what the owner describes (type, address, NAT, place, capabilities, capacity); null if unchanged. */
  public NodeState update(NodeState described) {
    return apply(described.nodeId(), new NodeProcessor(NodeProcessor.Kind.UPDATE, described.toJson().encode(), false,
      0, 0, 0, false, false, 0));
  }

  /** Online (with its load) or offline; null if nothing changed. */
  public NodeState liveness(String nodeId, boolean online, int connections, double bandwidthInUse) {
    return apply(nodeId, new NodeProcessor(NodeProcessor.Kind.LIVENESS, null, online, connections, bandwidthInUse, 0,
      false, false, 0));
  }

  /**
   * One observation of what a node itself adds (its access, or what it added as a relay), folded into its learned
   * quality; null if the node is unknown.
   */
  public NodeState quality(String nodeId, boolean relaying, double jitterMs, double loss) {
    return quality(nodeId, relaying, jitterMs, loss, Double.NaN);
  }

  /** The same, with an observation of the node's delay stretch ({@link NodeQuality#withStretch}; NaN if none). */
  public NodeState quality(String nodeId, boolean relaying, double jitterMs, double loss, double stretch) {
    JsonObject seen = new JsonObject().put("relaying", relaying).put("jitter_ms", jitterMs).put("loss", loss);
    if (Double.isFinite(stretch)) {
      seen.put("stretch", stretch);
    }
    return apply(nodeId, new NodeProcessor(NodeProcessor.Kind.QUALITY, seen.encode(), false, 0, 0, 0, false, false,
      0));
  }

  /** The trust domain's verdict; null if nothing changed (or the node is unknown). */
  public NodeState trust(String nodeId, double trust, boolean suspended) {
    return apply(nodeId, new NodeProcessor(NodeProcessor.Kind.TRUST, null, false, 0, 0, trust, suspended, false, 0));
  }

  /**
   * The owner's standing, learned at {@code since}, for these nodes (all of one owner's): answers the nodes it
   * changed. A node holding a standing learned later is left alone, so members writing the same owner's changes in
   * different orders agree.
   */
  public List<NodeState> owner(Set<String> nodeIds, boolean active, long since) {
    List<NodeState> changed = new ArrayList<>();
    nodes.executeOnKeys(nodeIds, new NodeProcessor(NodeProcessor.Kind.OWNER, null, false, 0, 0, 0, false, active,
      since)).values().forEach(json -> {
        if (json != null) {
          changed.add(NodeState.fromJson(new JsonObject(json)));
        }
      });
    return changed;
  }

  /**
   * Removes a node (and its last beat), leaving a tombstone so that a copy on the other side of a split does not
   * bring it back when the split heals; answers it as it was, or null if it was not there.
   */
  public NodeState remove(String nodeId) {
    this.removed.set(nodeId, System.currentTimeMillis(), TOMBSTONE_HOURS, TimeUnit.HOURS);
    NodeState gone = apply(nodeId, new NodeProcessor(NodeProcessor.Kind.REMOVE, null, false, 0, 0, 0, false, false,
      0));
    beats.delete(nodeId);
    return gone;
  }

  /**
   * After a merge (a node or a tombstone merged from the other side), removes the node again if a tombstone names
   * it and it was registered before that removal. The key's owner does it (every member hears the event); while
   * the partition has no owner yet, whoever hears it does (the removal is conditional, so doing it twice is safe).
   */
  private void applyTombstone(String nodeId) {
    ExecutorService executor = tombstones;
    if (executor == null) {
      return;
    }
    try {
      executor.execute(() -> {
        Member owner = hazelcast.getPartitionService().getPartition(nodeId).getOwner();
        if (owner != null && !owner.localMember()) {
          return;
        }
        Long removedAt = removed.get(nodeId);
        if (removedAt != null) {
          nodes.executeOnKey(nodeId, new RemoveIfRegisteredBefore(removedAt));
        }
      });
    } catch (RejectedExecutionException e) {
      // stopped listening meanwhile
    }
  }

  /** Removes a node registered before {@code removedAt} (a tombstone's time); a later registration stays. */
  record RemoveIfRegisteredBefore(long removedAt) implements EntryProcessor<String, String, String> {
    @Override
    public String process(Map.Entry<String, String> entry) {
      if (entry.getValue() == null || NodeState.fromJson(new JsonObject(entry.getValue())).registeredAt() > removedAt) {
        return null;
      }
      String old = entry.getValue();
      entry.setValue(null);
      return old;
    }
  }

  private NodeState apply(String nodeId, NodeProcessor processor) {
    String json = nodes.executeOnKey(nodeId, processor);
    return json == null ? null : NodeState.fromJson(new JsonObject(json));
  }

  /** One more measurement of the link between two nodes; answers the link as learned. */
  public LinkState measure(String x, String y, double rttMs, double jitterMs, double loss, double bandwidthMbps) {
    String json = links.executeOnKey(LinkState.key(x, y), new LinkProcessor(x, y, rttMs, jitterMs, loss, bandwidthMbps));
    return LinkState.fromJson(new JsonObject(json));
  }

  // ---- heartbeats and the offline sweep ---------------------------------------------------------------------

  /**
   * Stores the last beat of each node (one call per flush, not per beat) and answers the beats they replace, as
   * any member stored them (a node never seen beating is absent).
   */
  public Map<String, Long> beats(Map<String, Long> lastBeats) {
    Map<String, Long> previous = beats.getAll(lastBeats.keySet());
    beats.putAll(lastBeats);
    return previous;
  }

  /**
   * Takes offline the online nodes this member owns whose last beat (or registration, if they never beat) is
   * older than {@code staleBefore}. Each member sweeps only the keys it owns, so the cluster sweeps each node once.
   */
  public List<NodeState> sweep(long staleBefore) {
    Set<String> mine = nodes.localKeySet();
    Map<String, Long> lastBeats = beats.getAll(mine);
    List<NodeState> offline = new ArrayList<>();
    nodes.getAll(mine).forEach((nodeId, json) -> {
      NodeState node = NodeState.fromJson(new JsonObject(json));
      long last = Math.max(node.registeredAt(), lastBeats.getOrDefault(nodeId, 0L));
      if (node.online() && last < staleBefore) {
        NodeState changed = liveness(nodeId, false, 0, 0);
        if (changed != null) {
          offline.add(changed);
        }
      }
    });
    return offline;
  }

  // ---- processors (run on the key's owner, and again on its backup) ------------------------------------------
  // A change is stamped with the time its processor runs, so that replication lag is measured from the write.

  /** A change of one node, computed from its current record; answers the new record, or null if unchanged. */
  record NodeProcessor(Kind kind, String payload, boolean online, int connections, double bandwidthInUse,
                       double trust, boolean suspended, boolean ownerActive, long ownerSince)
    implements EntryProcessor<String, String, String> {

    enum Kind { REGISTER, UPDATE, LIVENESS, TRUST, OWNER, QUALITY, REMOVE }

    @Override
    public String process(Map.Entry<String, String> entry) {
      NodeState old = entry.getValue() == null ? null : NodeState.fromJson(new JsonObject(entry.getValue()));
      if (kind == Kind.REMOVE) {
        entry.setValue(null);
        return old == null ? null : old.toJson().encode();
      }
      NodeState next = switch (kind) {
        // Registering is a sign of life; the trust the node earned stays.
        case REGISTER -> {
          NodeState fresh = NodeState.fromJson(new JsonObject(payload));
          yield old == null ? fresh : fresh.withLiveness(true, old.currentConnections(), old.bandwidthInUseMbps())
            .withTrust(old.trust(), old.suspended()).withLaterOwnerOf(old).withQuality(old.quality());
        }
        case UPDATE -> old == null ? null : old.withDescriptionOf(NodeState.fromJson(new JsonObject(payload)));
        case LIVENESS -> old == null ? null : old.withLiveness(online, connections, bandwidthInUse);
        case TRUST -> old == null ? null : old.withTrust(trust, suspended);
        case OWNER -> old == null || old.ownerSince() >= ownerSince ? null : old.withOwner(ownerActive, ownerSince);
        case QUALITY -> {
          if (old == null) {
            yield null;
          }
          JsonObject seen = new JsonObject(payload);
          double jitter = seen.getDouble("jitter_ms");
          double loss = seen.getDouble("loss");
          NodeQuality learned = seen.getBoolean("relaying") ? old.quality().withRelaying(jitter, loss)
            : old.quality().withAccess(jitter, loss);
          yield old.withQuality(learned.withStretch(seen.getDouble("stretch", Double.NaN)));
        }
        default -> throw new IllegalStateException(kind.name());
      };
      if (next == null || next.sameAs(old)) {
        return null;
      }
      String json = next.next(old == null ? 0 : old.version(), System.currentTimeMillis()).toJson().encode();
      entry.setValue(json);
      return json;
    }
  }

  /** One measurement folded into a link's learned statistics. */
  record LinkProcessor(String x, String y, double rttMs, double jitterMs, double loss, double bandwidthMbps)
    implements EntryProcessor<String, String, String> {

    @Override
    public String process(Map.Entry<String, String> entry) {
      LinkState old = entry.getValue() == null ? null : LinkState.fromJson(new JsonObject(entry.getValue()));
      String json = LinkState.measured(old, x, y, rttMs, jitterMs, loss, bandwidthMbps, System.currentTimeMillis())
        .toJson().encode();
      entry.setValue(json);
      return json;
    }
  }

  // ---- listeners --------------------------------------------------------------------------------------------

  /** Merged entries (a healed split, {@link HighestVersionMergePolicy}) arrive like updates; versions order them. */
  private record NodeListener(Consumer<Change> sink, Consumer<String> merged) implements
    EntryAddedListener<String, String>, EntryUpdatedListener<String, String>, EntryRemovedListener<String, String>,
    EntryMergedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      sink.accept(new NodeChanged(NodeState.fromJson(new JsonObject(event.getValue())), true));
    }

    /** A merged node may be one this side removed during the split: its tombstone is checked. */
    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      if (event.getValue() != null) {
        entryAdded(event);
        merged.accept(event.getKey());
      }
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      entryAdded(event);
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      long version = event.getOldValue() == null ? Long.MAX_VALUE
        : new JsonObject(event.getOldValue()).getLong("version", Long.MAX_VALUE);
      sink.accept(new NodeRemoved(event.getKey(), version, true));
    }
  }

  private record LinkListener(Consumer<Change> sink) implements EntryAddedListener<String, String>,
    EntryUpdatedListener<String, String>, EntryMergedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      sink.accept(new LinkChanged(LinkState.fromJson(new JsonObject(event.getValue())), true));
    }

    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      if (event.getValue() != null) {
        entryAdded(event);
      }
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      entryAdded(event);
    }
  }
}
