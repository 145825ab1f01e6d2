package io.auralink.comm.mesh.graph;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Where the relay-capable nodes are (relays, edges, super nodes): a grid of {@link #CELL_DEGREES}° cells for those
 * with coordinates, and a list per region for all of them, each kept in node-id order so that a bounded scan finds
 * the same relays whatever order the graph was built in. The route search asks it for relays near a party that the
 * party never measured a link to (the legs are then estimated by the distance model), so a relay can be tried, and
 * its outcomes learned, without a client link report. Confined to the graph's thread.
 */
final class NearbyRelays {

  static final double CELL_DEGREES = 2;
  private static final int LON_CELLS = (int) Math.ceil(360 / CELL_DEGREES);
  private static final int LAT_CELLS = (int) Math.ceil(180 / CELL_DEGREES);

  private final IntFunction<String> ids;
  private final Map<Integer, Slots> cells = new HashMap<>();
  private final Map<String, Slots> regions = new HashMap<>();

  NearbyRelays(IntFunction<String> ids) {
    this.ids = ids;
  }

  void add(int slot, NodeState node) {
    if (!node.type().relays()) {
      return;
    }
    if (node.hasCoordinates()) {
      cells.computeIfAbsent(cell(latCell(node.latitude()), lonCell(node.longitude())), c -> new Slots()).add(slot, ids);
    }
    if (node.region() != null) {
      regions.computeIfAbsent(node.region(), r -> new Slots()).add(slot, ids);
    }
  }

  void remove(int slot, NodeState node) {
    if (!node.type().relays()) {
      return;
    }
    if (node.hasCoordinates()) {
      Slots in = cells.get(cell(latCell(node.latitude()), lonCell(node.longitude())));
      if (in != null) {
        in.remove(slot, ids);
      }
    }
    if (node.region() != null) {
      Slots in = regions.get(node.region());
      if (in != null) {
        in.remove(slot, ids);
      }
    }
  }

  /** Whether a change of record moves the node in this index. */
  static boolean moved(NodeState old, NodeState now) {
    return old.type().relays() != now.type().relays() || Double.compare(old.latitude(), now.latitude()) != 0
      || Double.compare(old.longitude(), now.longitude()) != 0 || !Objects.equals(old.region(), now.region());
  }

  /** What a scan visits: a slot, answering whether to go on. */
  interface Visitor {
    boolean visit(int slot);
  }

  /**
   * Visits the relay-capable slots around a place, ring of cells by ring of cells (at most {@code rings} rings), in
   * a fixed order, until the visitor stops; without coordinates, or if the grid offers nothing, the region's list.
   */
  void around(double latitude, double longitude, String region, int rings, Visitor visitor) {
    boolean any = false;
    if (!Double.isNaN(latitude) && !Double.isNaN(longitude)) {
      int la = latCell(latitude);
      int lo = lonCell(longitude);
      for (int ring = 0; ring <= rings; ring++) {
        for (int dLat = -ring; dLat <= ring; dLat++) {
          int lat = la + dLat;
          if (lat < 0 || lat >= LAT_CELLS) {
            continue;
          }
          // On the ring's top and bottom rows every cell, on the others only the two ends.
          int step = Math.abs(dLat) == ring ? 1 : Math.max(1, 2 * ring);
          for (int dLon = -ring; dLon <= ring; dLon += step) {
            Slots in = cells.get(cell(lat, Math.floorMod(lo + dLon, LON_CELLS)));
            if (in == null) {
              continue;
            }
            any = true;
            for (int k = 0; k < in.size; k++) {
              if (!visitor.visit(in.values[k])) {
                return;
              }
            }
          }
        }
      }
    }
    Slots same = any || region == null ? null : regions.get(region);
    if (same != null) {
      for (int k = 0; k < same.size; k++) {
        if (!visitor.visit(same.values[k])) {
          return;
        }
      }
    }
  }

  private static int latCell(double latitude) {
    return Math.min(LAT_CELLS - 1, Math.max(0, (int) Math.floor((latitude + 90) / CELL_DEGREES)));
  }

  private static int lonCell(double longitude) {
    return Math.floorMod((int) Math.floor((longitude + 180) / CELL_DEGREES), LON_CELLS);
  }

  private static int cell(int lat, int lon) {
    return lat * LON_CELLS + lon;
  }

  /** Slots in node-id order. */
  private static final class Slots {
    int[] values = new int[4];
    int size;

    void add(int slot, IntFunction<String> ids) {
      int at = position(ids.apply(slot), ids);
      if (at < size && values[at] == slot) {
        return;
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      System.arraycopy(values, at, values, at + 1, size - at);
      values[at] = slot;
      size++;
    }

    void remove(int slot, IntFunction<String> ids) {
      int at = position(ids.apply(slot), ids);
      if (at < size && values[at] == slot) {
        System.arraycopy(values, at + 1, values, at, size - at - 1);
        size--;
      }
    }

    /** The first position whose id is not less than {@code id}. */
    private int position(String id, IntFunction<String> ids) {
      int low = 0;
      int high = size;
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (ids.apply(values[mid]).compareTo(id) < 0) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low;
    }
  }
}
