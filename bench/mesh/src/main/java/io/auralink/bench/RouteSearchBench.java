package io.auralink.bench;

import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.mesh.graph.RouteSearch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Route search on the synthetic mesh ({@code nodes}: 100 000 nodes and 400 000 links, or 1 000 000 and 4 000 000):
 * the whole tiered decision, and the bounded multi-hop search alone, for random pairs of people (sample time: JMH
 * reports the percentiles). The setup prints how long the graph took to build from the snapshot (parsed and
 * applied) and how much heap it holds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class RouteSearchBench {

  private static final int PAIRS = 4096;

  @Param({"100000"})
  public int nodes;

  private RouteSearch search;
  private RouteSearch.Query[] queries;
  private int next;

  @Setup(Level.Trial)
  public void build() {
    int scale = Math.max(1, nodes / 100_000);
    SyntheticMesh.Snapshot snapshot = SyntheticMesh.snapshot(scale);
    long before = usedHeap();
    long started = System.nanoTime();
    MeshGraph graph = SyntheticMesh.build(snapshot);
    double buildSeconds = (System.nanoTime() - started) / 1e9;
    long after = usedHeap();
    System.out.printf("%ngraph: %d nodes, %d links, built from the snapshot (%d records) in %.1f s, %.1f MB of heap%n",
      graph.nodeCount(), graph.linkCount(), snapshot.nodes().size() + snapshot.links().size(), buildSeconds,
      (after - before) / 1e6);
    search = new RouteSearch(graph, List.of(new RouteSearch.Region("region-0", 53.3, -6.3),
      new RouteSearch.Region("region-2", 39.0, -77.5), new RouteSearch.Region("region-5", 1.35, 103.8)));
    Random random = new Random(7);
    queries = new RouteSearch.Query[PAIRS];
    for (int k = 0; k < PAIRS; k++) {
      int people = SyntheticMesh.people(scale);
      int a = random.nextInt(people);
      int b = (a + 1 + random.nextInt(people - 1)) % people;
      queries[k] = new RouteSearch.Query(SyntheticMesh.person(a), SyntheticMesh.person(b),
        NodeState.AUDIO | NodeState.VIDEO, 3.2, 3, 60, List.of());
    }
    int[] tiers = new int[5];
    for (RouteSearch.Query q : queries) {
      tiers[search.route(q).chosen().tier().number()]++;
    }
    System.out.printf("tiers chosen for the %d pairs: direct %d, one relay %d, multi-hop %d, central %d%n", PAIRS,
      tiers[1], tiers[2], tiers[3], tiers[4]);
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Benchmark
  public RouteSearch.Decision tieredDecision() {
    return search.route(queries[next++ & (PAIRS - 1)]);
  }

  @Benchmark
  public RouteSearch.Candidate multiHopSearch() {
    return search.multiHop(queries[next++ & (PAIRS - 1)]);
  }
}
