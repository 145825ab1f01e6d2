package io.auralink.comm.mesh.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The hot graph one mesh verticle holds: nodes and links in primitive arrays indexed by a dense node index, with
 * adjacency lists of (neighbour, link) pairs. It is confined to one thread (the verticle's event loop) and kept
 * current by {@link #apply(NodeState)}, {@link #remove} and {@link #apply(LinkState)}, each of which ignores
 * changes older than what it holds. A link may arrive before its nodes: the node's slot waits, absent, until its
 * record comes.
 */
public final class MeshGraph {

  private static final int INITIAL = 1024;
  private static final int COMMON_STRINGS = 4096;

  private final Map<String, Integer> index = new HashMap<>();
  private final Map<String, IntList> byOwner = new HashMap<>();
  private final Map<String, Long> tombstones = new HashMap<>();
  private final NearbyRelays nearby = new NearbyRelays(this::id);
  private final Map<String, String> commonStrings = new HashMap<>();

  // nodes
  private int nodeCount;
  private String[] ids = new String[INITIAL];
  private NodeState[] nodes = new NodeState[INITIAL];
  private byte[] nat = new byte[INITIAL];
  private boolean[] routable = new boolean[INITIAL];
  private float[] lat = new float[INITIAL];
  private float[] lon = new float[INITIAL];
  private int[][] adjacentNodes = new int[INITIAL][];
  private int[][] adjacentLinks = new int[INITIAL][];
  private int[] degree = new int[INITIAL];

  // links
  private int linkCount;
  private float[] linkCost = new float[INITIAL];
  private float[] linkDelay = new float[INITIAL];
  private float[] linkJitter = new float[INITIAL];
  private float[] linkLoss = new float[INITIAL];
  private long[] linkVersion = new long[INITIAL];

  private int presentCount;
  private int onlineCount;

  // ---- changes ------------------------------------------------------------------------------------------------

  /**
   * Applies a node record unless an equal or newer version (or its removal) is already known. The owner's standing
   * held here stays if it was learned later than the record's (it was applied at once, its record follows).
   */
  public boolean apply(NodeState record) {
    Long removedAt = tombstones.get(record.nodeId());
    if (removedAt != null && record.version() <= removedAt) {
      return false;
    }
    int i = slot(record.nodeId());
    NodeState old = nodes[i];
    if (old != null && old.version() >= record.version()) {
      return false;
    }
    NodeState node = shared(record.withLaterOwnerOf(old));
    if (old == null) {
      presentCount++;
      nearby.add(i, node);
    } else {
      if (NearbyRelays.moved(old, node)) {
        nearby.remove(i, old);
        nearby.add(i, node);
      }
      byOwner.get(old.owner()).remove(i);
      if (isRoutable(old)) {
        onlineCount--;
      }
    }
    nodes[i] = node;
    nat[i] = (byte) node.nat().ordinal();
    lat[i] = (float) node.latitude();
    lon[i] = (float) node.longitude();
    routable[i] = isRoutable(node);
    if (routable[i]) {
      onlineCount++;
    }
    byOwner.computeIfAbsent(node.owner(), IntList::new).add(i);
    return true;
  }

  /**
   * The record holding the strings this graph already holds for its owner, region and device type (a million
   * nodes parsed from JSON would otherwise each hold copies of them).
   */
  private NodeState shared(NodeState node) {
    IntList owned = byOwner.get(node.owner());
    String owner = owned == null ? node.owner() : owned.owner;
    String region = node.region() == null ? null : common(node.region());
    String deviceType = node.deviceType() == null ? null : common(node.deviceType());
    return owner == node.owner() && region == node.region() && deviceType == node.deviceType() ? node
      : node.sharing(owner, region, deviceType);
  }

  /** One instance of a value of few kinds (regions, device types); past a bound, values are kept as they come. */
  private String common(String value) {
    String held = commonStrings.get(value);
    if (held == null && commonStrings.size() < COMMON_STRINGS) {
      commonStrings.put(value, value);
      return value;
    }
    return held == null ? value : held;
  }

  private static boolean isRoutable(NodeState node) {
    return node.online() && !node.suspended() && node.ownerActive();
  }

  /**
   * Applies the trust domain's verdict to a node at once, ahead of its replicated record (which follows with the
   * next version and the same trust).
   */
  public void trust(String nodeId, double trust, boolean suspended) {
    int i = index(nodeId);
    NodeState node = i < 0 ? null : nodes[i];
    if (node == null) {
      return;
    }
    replace(i, node.withTrust(trust, suspended));
  }

  /**
   * Applies an owner's standing to all of their nodes here at once (ahead of their replicated records), unless a
   * standing learned later is held; answers how many nodes changed.
   */
  public int owner(String owner, boolean active, long since) {
    IntList slots = nodesOf(owner);
    int changed = 0;
    for (int k = 0; k < slots.size(); k++) {
      int i = slots.get(k);
      NodeState node = nodes[i];
      if (node.ownerSince() < since) {
        changed += node.ownerActive() == active ? 0 : 1;
        replace(i, node.withOwner(active, since));
      }
    }
    return changed;
  }

  /** Puts a changed record of the same version in a slot, keeping the routable count. */
  private void replace(int i, NodeState node) {
    nodes[i] = node;
    if (routable[i]) {
      onlineCount--;
    }
    routable[i] = isRoutable(node);
    if (routable[i]) {
      onlineCount++;
    }
  }

  /** Removes a node (its links stay, unused, until it comes back). */
  public boolean remove(String nodeId, long version) {
    tombstones.merge(nodeId, version, Math::max);
    Integer i = index.get(nodeId);
    if (i == null || nodes[i] == null || nodes[i].version() > version) {
      return false;
    }
    byOwner.get(nodes[i].owner()).remove(i);
    nearby.remove(i, nodes[i]);
    if (routable[i]) {
      onlineCount--;
    }
    presentCount--;
    nodes[i] = null;
    routable[i] = false;
    return true;
  }

  /** Applies a link record unless an equal or newer version is already known. */
  public boolean apply(LinkState link) {
    int a = slot(link.a());
    int b = slot(link.b());
    int l = linkBetween(a, b);
    if (l < 0) {
      l = linkCount++;
      growLinks(linkCount);
      attach(a, b, l);
      attach(b, a, l);
    } else if (linkVersion[l] >= link.version()) {
      return false;
    }
    linkCost[l] = (float) link.cost();
    linkDelay[l] = (float) link.oneWayDelayMs();
    linkJitter[l] = (float) link.jitterMs();
    linkLoss[l] = (float) link.loss();
    linkVersion[l] = link.version();
    return true;
  }

  private void attach(int from, int to, int link) {
    int d = degree[from];
    if (adjacentNodes[from] == null) {
      adjacentNodes[from] = new int[4];
      adjacentLinks[from] = new int[4];
    } else if (d == adjacentNodes[from].length) {
      adjacentNodes[from] = Arrays.copyOf(adjacentNodes[from], d * 2);
      adjacentLinks[from] = Arrays.copyOf(adjacentLinks[from], d * 2);
    }
    adjacentNodes[from][d] = to;
    adjacentLinks[from][d] = link;
    degree[from] = d + 1;
  }

  private int slot(String nodeId) {
    Integer i = index.get(nodeId);
    if (i != null) {
      return i;
    }
    int n = nodeCount++;
    growNodes(nodeCount);
    ids[n] = nodeId;
    lat[n] = Float.NaN;
    lon[n] = Float.NaN;
    index.put(nodeId, n);
    return n;
  }

  private void growNodes(int needed) {
    if (needed <= ids.length) {
      return;
    }
    int size = ids.length * 2;
    ids = Arrays.copyOf(ids, size);
    nodes = Arrays.copyOf(nodes, size);
    nat = Arrays.copyOf(nat, size);
    routable = Arrays.copyOf(routable, size);
    lat = Arrays.copyOf(lat, size);
    lon = Arrays.copyOf(lon, size);
    adjacentNodes = Arrays.copyOf(adjacentNodes, size);
    adjacentLinks = Arrays.copyOf(adjacentLinks, size);
    degree = Arrays.copyOf(degree, size);
  }

  private void growLinks(int needed) {
    if (needed <= linkCost.length) {
      return;
    }
    int size = linkCost.length * 2;
    linkCost = Arrays.copyOf(linkCost, size);
    linkDelay = Arrays.copyOf(linkDelay, size);
    linkJitter = Arrays.copyOf(linkJitter, size);
    linkLoss = Arrays.copyOf(linkLoss, size);
    linkVersion = Arrays.copyOf(linkVersion, size);
  }

  // ---- reads ----------------------------------------------------------------------------------------------------

  /** Slots, including those of nodes not (or no longer) present. */
  public int capacity() {
    return nodeCount;
  }

  public int index(String nodeId) {
    Integer i = index.get(nodeId);
    return i == null ? -1 : i;
  }

  public String id(int i) {
    return ids[i];
  }

  /** The node's record, or null if it is not present. */
  public NodeState node(int i) {
    return nodes[i];
  }

  public NodeState node(String nodeId) {
    int i = index(nodeId);
    return i < 0 ? null : nodes[i];
  }

  /** Online, not suspended, and its owner active. */
  public boolean routable(int i) {
    return routable[i];
  }

  public Nat nat(int i) {
    return Nat.values()[nat[i]];
  }

  public double latitude(int i) {
    return lat[i];
  }

  public double longitude(int i) {
    return lon[i];
  }

  /** How an owner stands in this graph. */
  public enum Owner {
    /** No node of theirs is here. */
    NO_NODES,
    /** Their nodes may be routed (the owner is active), whether or not one is online. */
    ACTIVE,
    /** They have nodes, all out of routing because the owner is deactivated or suspended. */
    INACTIVE
  }

  /** Whether the owner has nodes here and whether those may be routed: a look at a handful of slots. */
  public Owner owner(String owner) {
    IntList slots = nodesOf(owner);
    if (slots.size() == 0) {
      return Owner.NO_NODES;
    }
    for (int k = 0; k < slots.size(); k++) {
      if (nodes[slots.get(k)].ownerActive()) {
        return Owner.ACTIVE;
      }
    }
    return Owner.INACTIVE;
  }

  /** When the owner's standing held here was learned (0 if never, or no node of theirs is here). */
  public long ownerSince(String owner) {
    IntList slots = nodesOf(owner);
    long since = 0;
    for (int k = 0; k < slots.size(); k++) {
      since = Math.max(since, nodes[slots.get(k)].ownerSince());
    }
    return since;
  }

  /** The node slots of an owner (present nodes only), or an empty list. */
  public IntList nodesOf(String owner) {
    IntList list = byOwner.get(owner);
    return list == null ? IntList.EMPTY : list;
  }

  /**
   * Visits the relay-capable nodes (present, routable or not) around a place, nearest cells first, at most
   * {@code rings} rings of cells out, in node-id order within a cell, until the visitor answers false; without
   * coordinates (or nothing on the grid there), those of the region.
   */
  void relaysAround(double latitude, double longitude, String region, int rings, NearbyRelays.Visitor visitor) {
    nearby.around(latitude, longitude, region, rings, visitor);
  }

  public int degree(int i) {
    return degree[i];
  }

  public int neighbour(int i, int k) {
    return adjacentNodes[i][k];
  }

  public int link(int i, int k) {
    return adjacentLinks[i][k];
  }

  /** The link between two slots, or -1: a scan of the shorter adjacency list (devices have a handful of links). */
  public int linkBetween(int a, int b) {
    int from = degree[a] <= degree[b] ? a : b;
    int to = from == a ? b : a;
    int[] neighbours = adjacentNodes[from];
    for (int k = 0; k < degree[from]; k++) {
      if (neighbours[k] == to) {
        return adjacentLinks[from][k];
      }
    }
    return -1;
  }

  public double linkCost(int l) {
    return linkCost[l];
  }

  public double linkDelay(int l) {
    return linkDelay[l];
  }

  public double linkJitter(int l) {
    return linkJitter[l];
  }

  public double linkLoss(int l) {
    return linkLoss[l];
  }

  /** The version of the link's record this graph holds (it changes with every measurement learned). */
  public long linkVersion(int l) {
    return linkVersion[l];
  }

  public int linkCount() {
    return linkCount;
  }

  public int nodeCount() {
    return presentCount;
  }

  public int onlineCount() {
    return onlineCount;
  }

  /** Counts of routable nodes by type. */
  public Map<NodeState.Type, Integer> onlineByType() {
    Map<NodeState.Type, Integer> counts = new HashMap<>();
    for (NodeState.Type type : NodeState.Type.values()) {
      counts.put(type, 0);
    }
    for (int i = 0; i < nodeCount; i++) {
      if (routable[i]) {
        counts.merge(nodes[i].type(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** A growable list of ints with removal by value (owners hold a handful of nodes). */
  public static final class IntList {

    static final IntList EMPTY = new IntList(null);

    /** The owner whose nodes these are (the one instance of the name the graph keeps). */
    final String owner;
    private int[] values = new int[2];
    private int size;

    IntList(String owner) {
      this.owner = owner;
    }

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    void remove(int value) {
      for (int k = 0; k < size; k++) {
        if (values[k] == value) {
          System.arraycopy(values, k + 1, values, k, size - k - 1);
          size--;
          return;
        }
      }
    }

    public int size() {
      return size;
    }

    public int get(int k) {
      return values[k];
    }
  }
}
